import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DeliveryChargeEvent, PATTERNS, validateContract } from '#contracts';
import { Messaging } from '#messaging';
import { NEAR_CITY_HALL, eventually, orderEvent, startDispatch, type DispatchHarness, type RiderClient } from '../../test/dispatch-harness.js';

describe('deliveries from orders to doorsteps (component, real PostgreSQL and fee service)', () => {
  let h: DispatchHarness;

  beforeAll(async () => {
    h = await startDispatch();
  });

  afterAll(async () => {
    await h?.close();
  });

  /** An order assigned to a rider who accepted it. */
  async function assigned(agencyId: string, rider: RiderClient) {
    const event = orderEvent(agencyId);
    await h.publish(event);
    const delivery = await h.deliveryOf(event.orderId);
    const offer = await rider.waitForOffer(delivery.id);
    expect((await rider.send('offer:accept', { offerId: offer.offerId })).ok).toBe(true);
    return { event, deliveryId: delivery.id };
  }

  it('makes one delivery of an order, however often its event is delivered', async () => {
    const { agencyId } = await h.agency();
    const event = orderEvent(agencyId);
    const replies = await Promise.all([h.publish(event), h.publish(event), h.publish(event)]);
    expect(replies).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    await expect(h.publish(event)).resolves.toEqual({ ok: true });
    // A second event for the same order (a new event id) does not make a second delivery either.
    await expect(h.publish({ ...event, eventId: randomUUID() })).resolves.toEqual({ ok: true });

    const rows = await h.query('SELECT status, restaurant_name, dropoff_detail FROM dispatch.deliveries WHERE order_id = $1', [event.orderId]);
    expect(rows).toEqual([{ status: expect.any(String), restaurant_name: '시청앞 김밥', dropoff_detail: '3층' }]);
  });

  it('refuses an order.created payload that breaks the contract, storing nothing', async () => {
    const { agencyId } = await h.agency();
    const bad = orderEvent(agencyId, { pickup: { lng: 37.5665, lat: 126.978, address: '뒤바뀐 좌표' } as never });
    await expect(h.publish(bad)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: expect.arrayContaining([expect.objectContaining({ field: 'pickup.lng' })]),
    });
    expect(await h.query('SELECT 1 FROM dispatch.deliveries WHERE order_id = $1', [bad.orderId])).toEqual([]);
    expect(await h.query('SELECT 1 FROM dispatch.inbox WHERE event_id = $1', [bad.eventId])).toEqual([]);
  });

  it('lets only the assigned rider report pickup and delivery, in order, and tells the restaurant each step', async () => {
    const { agencyId } = await h.agency();
    const mine = await h.rider(agencyId, '담당 라이더');
    const rider = await h.online(mine.token, NEAR_CITY_HALL.m300);
    const stranger = await h.online((await h.rider(agencyId, '남 라이더')).token, NEAR_CITY_HALL.m4000);
    const { event, deliveryId } = await assigned(agencyId, rider);

    await expect(stranger.send('delivery:pickedUp', { deliveryId })).resolves.toMatchObject({ ok: false, code: 'DELIVERY_NOT_FOUND' });
    await expect(rider.send('delivery:delivered', { deliveryId })).resolves.toMatchObject({
      ok: false,
      code: 'INVALID_TRANSITION',
      details: { from: 'assigned', to: 'delivered' },
    });
    await expect(rider.send('delivery:pickedUp', { deliveryId })).resolves.toMatchObject({
      ok: true,
      delivery: { id: deliveryId, status: 'picked_up', pickedUpAt: expect.any(String) },
    });
    // Sent again (its answer lost on a bad connection): the same answer, and no second event.
    await expect(rider.send('delivery:pickedUp', { deliveryId })).resolves.toMatchObject({ ok: true, delivery: { status: 'picked_up' } });
    await expect(stranger.send('delivery:delivered', { deliveryId })).resolves.toMatchObject({ ok: false, code: 'DELIVERY_NOT_FOUND' });
    await expect(rider.send('delivery:delivered', { deliveryId })).resolves.toMatchObject({
      ok: true,
      delivery: { id: deliveryId, status: 'delivered', deliveredAt: expect.any(String) },
    });
    await expect(rider.send('delivery:delivered', { deliveryId })).resolves.toMatchObject({ ok: true, delivery: { status: 'delivered' } });
    await expect(rider.send('delivery:pickedUp', { deliveryId })).resolves.toMatchObject({
      ok: false,
      code: 'INVALID_TRANSITION',
      details: { from: 'delivered', to: 'picked_up' },
    });

    const events = await h.statusEvents(event.orderId);
    expect(events.map((e) => e.status)).toEqual(['quoted', 'assigned', 'picked_up', 'delivered']);
    const [quote] = await h.query<{ total: number; distance_meters: number }>('SELECT total, distance_meters FROM fee.quotes WHERE order_id = $1', [
      event.orderId,
    ]);
    expect(events[0]).toEqual({
      eventId: expect.any(String),
      occurredAt: expect.any(String),
      orderId: event.orderId,
      deliveryId,
      status: 'quoted',
      fee: { total: quote.total, currency: 'KRW', distanceMeters: quote.distance_meters, provider: 'turf', estimated: true },
    });
    expect(events[1]).toMatchObject({ status: 'assigned', rider: { id: mine.riderId, name: '담당 라이더' } });
    expect(new Set(events.map((e) => e.eventId)).size).toBe(4);
    const times = events.map((e) => Date.parse(e.occurredAt));
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    const [row] = await h.query<Record<string, unknown>>(
      'SELECT status, rider_id, fee, quoted_at, assigned_at, picked_up_at, delivered_at FROM dispatch.deliveries WHERE id = $1',
      [deliveryId],
    );
    expect(row).toMatchObject({
      status: 'delivered',
      rider_id: mine.riderId,
      fee: expect.objectContaining({ total: quote.total, provider: 'turf', estimated: true, items: expect.any(Array), quoteId: expect.any(String) }),
      quoted_at: expect.any(Date),
      assigned_at: expect.any(Date),
      picked_up_at: expect.any(Date),
      delivered_at: expect.any(Date),
    });
  });

  it('frees the rider for new work once a delivery is delivered', async () => {
    const { agencyId } = await h.agency();
    const rider = await h.online((await h.rider(agencyId, '한 건씩', 1)).token, NEAR_CITY_HALL.m300);
    const first = await assigned(agencyId, rider);
    const next = orderEvent(agencyId);
    await h.publish(next);
    await eventually(async () => ((await h.deliveryOf(next.orderId)).fee ? true : undefined), 'the next delivery to be priced');

    await rider.send('delivery:pickedUp', { deliveryId: first.deliveryId });
    await rider.send('delivery:delivered', { deliveryId: first.deliveryId });
    const nextDelivery = await h.deliveryOf(next.orderId);
    await rider.waitForOffer(nextDelivery.id);
    // Offered only after the first was delivered, though it was waiting, priced, before that.
    const [order] = await h.query<{ offered_after_delivered: boolean; priced_before: boolean }>(
      `SELECT o.created_at > d.delivered_at AS offered_after_delivered, n.quoted_at < d.delivered_at AS priced_before
         FROM dispatch.offers o, dispatch.deliveries d, dispatch.deliveries n
        WHERE o.delivery_id = $1 AND d.id = $2 AND n.id = $1`,
      [nextDelivery.id, first.deliveryId],
    );
    expect(order).toEqual({ offered_after_delivered: true, priced_before: true });
  });

  it('lets the agency cancel a delivery before pickup: the rider is told and the restaurant gets a cancelled event', async () => {
    const { agencyId, apiKey } = await h.agency();
    const rider = await h.online((await h.rider(agencyId, '취소 라이더')).token, NEAR_CITY_HALL.m300);
    const event = orderEvent(agencyId);
    await h.publish(event);
    const offer = await rider.waitForOffer();

    const cancelled = await request(h.dispatchUrl)
      .post(`/v1/agencies/${agencyId}/deliveries/${offer.deliveryId}/cancel`)
      .set('authorization', `Bearer ${apiKey}`)
      .expect(200);
    expect(cancelled.body).toMatchObject({ id: offer.deliveryId, status: 'cancelled', cancelledAt: expect.any(String), rider: null });
    await expect(rider.waitFor('delivery:cancelled')).resolves.toEqual({ deliveryId: offer.deliveryId });
    await expect(rider.send('offer:accept', { offerId: offer.offerId })).resolves.toMatchObject({ ok: false, code: 'OFFER_CLOSED' });
    expect((await h.statusEvents(event.orderId)).map((e) => e.status)).toEqual(['quoted', 'cancelled']);

    // Once picked up, the trip is finished rather than cancelled.
    const { deliveryId } = await assigned(agencyId, rider);
    await rider.send('delivery:pickedUp', { deliveryId });
    const refused = await request(h.dispatchUrl)
      .post(`/v1/agencies/${agencyId}/deliveries/${deliveryId}/cancel`)
      .set('authorization', `Bearer ${apiKey}`)
      .expect(409);
    expect(refused.body.error).toMatchObject({ code: 'INVALID_TRANSITION', details: { from: 'picked_up', to: 'cancelled' } });
  });

  it("shows the agency its own deliveries with fee provenance and rider, and nobody else's", async () => {
    const { agencyId, apiKey } = await h.agency('보드 대행');
    const other = await h.agency('옆 대행');
    const rider = await h.online((await h.rider(agencyId, '보드 라이더')).token, NEAR_CITY_HALL.m300);
    const { deliveryId } = await assigned(agencyId, rider);
    const waiting = orderEvent(other.agencyId);
    await h.publish(waiting);

    const board = await request(h.dispatchUrl).get(`/v1/agencies/${agencyId}/deliveries`).set('authorization', `Bearer ${apiKey}`).expect(200);
    expect(board.body.deliveries).toEqual([
      expect.objectContaining({
        id: deliveryId,
        status: 'assigned',
        restaurantName: '시청앞 김밥',
        fee: expect.objectContaining({
          total: expect.any(Number),
          currency: 'KRW',
          provider: 'turf',
          estimated: true,
          riderPay: expect.any(Number),
          tariffVersion: expect.any(Number),
          pricedAt: expect.any(String),
          distanceBasis: expect.stringMatching(/^(route|straight)$/),
        }),
        pricingProblem: null,
        rider: { id: expect.any(String), name: '보드 라이더' },
      }),
    ]);
    const filtered = await request(h.dispatchUrl)
      .get(`/v1/agencies/${agencyId}/deliveries?status=delivered`)
      .set('authorization', `Bearer ${apiKey}`)
      .expect(200);
    expect(filtered.body.deliveries).toEqual([]);
    const badFilter = await request(h.dispatchUrl)
      .get(`/v1/agencies/${agencyId}/deliveries?status=lost&limit=0`)
      .set('authorization', `Bearer ${apiKey}`)
      .expect(400);
    expect(badFilter.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['limit', 'status']);

    await request(h.dispatchUrl).get(`/v1/agencies/${agencyId}/deliveries`).expect(401);
    await request(h.dispatchUrl).get(`/v1/agencies/${other.agencyId}/deliveries`).set('authorization', `Bearer ${apiKey}`).expect(404);
    await request(h.dispatchUrl).get('/v1/agencies/not-a-uuid/deliveries').set('authorization', `Bearer ${apiKey}`).expect(404);
    await request(h.dispatchUrl)
      .post(`/v1/agencies/${agencyId}/deliveries/${(await h.deliveryOf(waiting.orderId)).id}/cancel`)
      .set('authorization', `Bearer ${apiKey}`)
      .expect(404);
  });

  it("gives the rider who takes a phone order the customer's phone and what to collect; the board shows the phone masked", async () => {
    const { agencyId, apiKey } = await h.agency('전화 주문 대행');
    const rider = await h.online((await h.rider(agencyId, '현금 라이더')).token, NEAR_CITY_HALL.m300);
    const event = { ...orderEvent(agencyId), customerPhone: '010-9876-5432', payment: { method: 'cash' as const, collectAmount: 21000 }, enteredBy: 'operator' as const };
    await h.publish(event);
    const delivery = await h.deliveryOf(event.orderId);
    const offer = await rider.waitForOffer(delivery.id);
    expect(offer).not.toHaveProperty('customerPhone');
    const accepted = await rider.send('offer:accept', { offerId: offer.offerId });
    expect(accepted.delivery).toMatchObject({ customerPhone: '010-9876-5432', payment: { method: 'cash', collectAmount: 21000 } });

    const board = await request(h.dispatchUrl).get(`/v1/agencies/${agencyId}/deliveries`).set('authorization', `Bearer ${apiKey}`).expect(200);
    expect(board.body.deliveries).toEqual([
      expect.objectContaining({ id: delivery.id, customerPhone: '010-****-5432', payment: { method: 'cash', collectAmount: 21000 }, enteredBy: 'operator' }),
    ]);
    expect(JSON.stringify(board.body)).not.toContain('9876');
  });

  it('pages through the whole board by keyset, and filters it by phone digits, restaurant and time', async () => {
    const { agencyId, apiKey } = await h.agency('하루치 대행');
    const restaurantId = randomUUID();
    const events = Array.from({ length: 5 }, (_, i) => orderEvent(agencyId, { customerPhone: `010-1111-${1000 + i}`, ...(i < 2 ? { restaurantId } : {}) }));
    for (const event of events) await h.publish(event);
    const board = (query: string) => request(h.dispatchUrl).get(`/v1/agencies/${agencyId}/deliveries?${query}`).set('authorization', `Bearer ${apiKey}`);

    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: request.Response = await board(`limit=2${after ? `&after=${encodeURIComponent(after)}` : ''}`).expect(200);
      expect(page.body.deliveries.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.deliveries.map((d: { orderId: string }) => d.orderId));
      after = page.body.next;
    } while (after);
    expect(seen.sort()).toEqual(events.map((e) => e.orderId).sort());

    expect((await board('phone=1003').expect(200)).body.deliveries.map((d: { orderId: string }) => d.orderId)).toEqual([events[3]!.orderId]);
    expect((await board(`restaurantId=${restaurantId}`).expect(200)).body.deliveries.map((d: { orderId: string }) => d.orderId).sort()).toEqual([events[0]!.orderId, events[1]!.orderId].sort());
    expect((await board(`from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`).expect(200)).body).toEqual({ deliveries: [], next: null });
    const refused = await board('phone=12&restaurantId=x&from=yesterday&after=nope').expect(400);
    expect(refused.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['after', 'from', 'phone', 'restaurantId']);
  });

  it('tells the fee service what to settle: a charge at assignment, pickup and delivery, each at its own time', async () => {
    const { agencyId } = await h.agency();
    const mine = await h.rider(agencyId, '정산 라이더');
    const rider = await h.online(mine.token, NEAR_CITY_HALL.m300);
    const { event, deliveryId } = await assigned(agencyId, rider);
    await rider.send('delivery:pickedUp', { deliveryId });
    await rider.send('delivery:delivered', { deliveryId });
    // Sent again: no second charge.
    await rider.send('delivery:delivered', { deliveryId });

    const [row] = await h.query<{ fee: { quoteId: string }; assigned_at: Date; picked_up_at: Date; delivered_at: Date }>(
      'SELECT fee, assigned_at, picked_up_at, delivered_at FROM dispatch.deliveries WHERE id = $1',
      [deliveryId],
    );
    const charges = await h.chargeEvents(event.orderId);
    const common = { deliveryId, orderId: event.orderId, agencyId, restaurantId: event.restaurantId, quoteId: row.fee.quoteId, riderId: mine.riderId };
    expect(charges).toEqual([
      { eventId: expect.any(String), occurredAt: expect.any(String), ...common, stage: 'assigned', at: row.assigned_at.toISOString() },
      { eventId: expect.any(String), occurredAt: expect.any(String), ...common, stage: 'picked_up', at: row.picked_up_at.toISOString() },
      { eventId: expect.any(String), occurredAt: expect.any(String), ...common, stage: 'delivered', at: row.delivered_at.toISOString() },
    ]);
    for (const charge of charges) expect(validateContract(DeliveryChargeEvent, charge).ok).toBe(true);
  });

  it('charges a cancel only once a rider had taken the job, naming that rider', async () => {
    const { agencyId, apiKey } = await h.agency();
    const mine = await h.rider(agencyId, '취소 정산 라이더');
    const rider = await h.online(mine.token, NEAR_CITY_HALL.m300);
    const cancel = (deliveryId: string) =>
      request(h.dispatchUrl).post(`/v1/agencies/${agencyId}/deliveries/${deliveryId}/cancel`).set('authorization', `Bearer ${apiKey}`).expect(200);

    // Offered but not accepted, then cancelled: nobody worked, nothing to settle.
    const offeredOnly = orderEvent(agencyId);
    await h.publish(offeredOnly);
    const offer = await rider.waitForOffer((await h.deliveryOf(offeredOnly.orderId)).id);
    await cancel(offer.deliveryId);

    const { event, deliveryId } = await assigned(agencyId, rider);
    await cancel(deliveryId);

    expect((await h.statusEvents(offeredOnly.orderId)).map((e) => e.status)).toEqual(['quoted', 'cancelled']);
    expect(await h.chargeEvents(offeredOnly.orderId)).toEqual([]);
    const [row] = await h.query<{ cancelled_at: Date }>('SELECT cancelled_at FROM dispatch.deliveries WHERE id = $1', [deliveryId]);
    expect((await h.chargeEvents(event.orderId)).map(({ stage, riderId, at }) => ({ stage, riderId, at }))).toEqual([
      { stage: 'assigned', riderId: mine.riderId, at: expect.any(String) },
      { stage: 'cancelled', riderId: mine.riderId, at: row.cancelled_at.toISOString() },
    ]);
  });

  it("shows the agency why fee will not price a delivery, retries it, and clears the reason once it is priced", async () => {
    const { agencyId, apiKey } = await h.agency('요금표 없는 대행');
    const messaging = h.dispatch.get(Messaging);
    const askFee = messaging.request.bind(messaging);
    // Fee refusing this agency's trips, as it does while it has no tariff for the agency.
    const refusal = { code: 'NO_TARIFF', message: `agency ${agencyId} has no tariff`, details: { agencyId } };
    const spy = jest.spyOn(messaging, 'request').mockImplementation(async (pattern, payload, timeoutMs) => {
      if (pattern === PATTERNS.FEE_QUOTE && (payload as { agencyId?: string }).agencyId === agencyId) throw refusal;
      return askFee(pattern, payload, timeoutMs);
    });
    const board = async () =>
      (await request(h.dispatchUrl).get(`/v1/agencies/${agencyId}/deliveries`).set('authorization', `Bearer ${apiKey}`).expect(200)).body.deliveries;
    try {
      const event = orderEvent(agencyId);
      await h.publish(event);
      const refused = await h.afterPricingAttempts(event.orderId, 2);
      expect(refused).toMatchObject({ status: 'pending', fee: null, pricing_problem: { code: 'NO_TARIFF', message: refusal.message } });
      const [waiting] = await board();
      expect(waiting).toMatchObject({
        status: 'pending',
        fee: null,
        pricingProblem: { code: 'NO_TARIFF', message: refusal.message, at: expect.any(String) },
      });
      expect(Date.parse(waiting.pricingProblem.at)).not.toBeNaN();
      expect(await h.statusEvents(event.orderId)).toEqual([]);

      spy.mockRestore();
      const priced = await eventually(async () => {
        const d = await h.deliveryOf(event.orderId);
        return d.fee ? d : undefined;
      }, 'the delivery to be priced');
      expect(priced.pricing_problem).toBeNull();
      const [shown] = await board();
      expect(shown).toMatchObject({ pricingProblem: null, fee: expect.objectContaining({ total: expect.any(Number) }) });
      expect((await h.statusEvents(event.orderId)).map((e) => e.status)).toEqual(['quoted']);
    } finally {
      spy.mockRestore();
    }
  });

  it('does not take a fee outage for a pricing problem', async () => {
    const { agencyId } = await h.agency();
    const messaging = h.dispatch.get(Messaging);
    const spy = jest.spyOn(messaging, 'request').mockRejectedValue(Object.assign(new Error('Timeout has occurred'), { name: 'TimeoutError' }));
    try {
      const event = orderEvent(agencyId);
      await h.publish(event);
      const waiting = await h.afterPricingAttempts(event.orderId, 2);
      expect(waiting).toMatchObject({ status: 'pending', fee: null, pricing_problem: null });
    } finally {
      spy.mockRestore();
    }
  });
});
