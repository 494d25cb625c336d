import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { CITY_HALL, NEAR_CITY_HALL, eventually, orderEvent, startDispatch, type DispatchHarness } from '../../test/dispatch-harness.js';

/** Offering with the real fee service pricing every delivery; offers do not expire during these tests. */
describe('offering deliveries to riders (component, real PostgreSQL and fee service)', () => {
  let h: DispatchHarness;

  beforeAll(async () => {
    h = await startDispatch();
  });

  afterAll(async () => {
    await h?.close();
  });

  const offersOf = (deliveryId: string) =>
    h.query<{ rider_id: string; status: string }>('SELECT rider_id, status FROM dispatch.offers WHERE delivery_id = $1 ORDER BY created_at', [deliveryId]);

  it('offers a priced delivery to the nearest online rider of the agency, and to no one else', async () => {
    const { agencyId } = await h.agency();
    const far = await h.online((await h.rider(agencyId, '4km 라이더')).token, NEAR_CITY_HALL.m4000);
    const near = await h.online((await h.rider(agencyId, '300m 라이더')).token, NEAR_CITY_HALL.m300);
    const middle = await h.online((await h.rider(agencyId, '1.5km 라이더')).token, NEAR_CITY_HALL.m1500);
    // Closer still, but offline, or with another agency: neither may be offered the job.
    await h.rider(agencyId, '퇴근한 라이더');
    const { agencyId: otherAgency } = await h.agency('다른 대행');
    const stranger = await h.online((await h.rider(otherAgency, '남의 라이더')).token, CITY_HALL);

    const event = orderEvent(agencyId);
    await expect(h.publish(event)).resolves.toEqual({ ok: true });
    const offer = await near.waitForOffer();

    const delivery = await h.deliveryOf(event.orderId);
    const [quote] = await h.query<{ total: number; distance_meters: number }>('SELECT total, distance_meters FROM fee.quotes WHERE order_id = $1', [
      event.orderId,
    ]);
    expect(offer).toEqual({
      offerId: expect.any(String),
      deliveryId: delivery.id,
      restaurantName: '시청앞 김밥',
      pickup: { ...CITY_HALL, address: '서울특별시 중구 세종대로 110' },
      dropoff: { lng: 126.9769, lat: 37.5759, address: '서울특별시 종로구 세종대로 172', detail: '3층' },
      fee: quote.total,
      riderPay: delivery.fee!.riderPay,
      distanceMeters: quote.distance_meters,
      feePending: false,
      // An order from before ready times were kept: ready when it arrived, no promise.
      readyAt: null,
      promisedAt: null,
      readyChange: null,
      expiresAt: expect.any(String),
    });
    // What the rider earns is fee's rider pay for this quote: a whole number of won, at most the fee.
    expect(Number.isInteger(offer.riderPay)).toBe(true);
    expect(offer.riderPay).toBeGreaterThan(0);
    expect(offer.riderPay).toBeLessThanOrEqual(offer.fee!);
    // The rider has OFFER_TIMEOUT_SECONDS (30 by default) from the offer to answer.
    const [timing] = await h.query<{ created_at: Date; expires_at: Date }>('SELECT created_at, expires_at FROM dispatch.offers WHERE id = $1', [
      offer.offerId,
    ]);
    expect(timing.expires_at.getTime() - timing.created_at.getTime()).toBe(30_000);
    expect(new Date(offer.expiresAt)).toEqual(timing.expires_at);
    expect(await offersOf(delivery.id)).toEqual([{ rider_id: expect.any(String), status: 'pending' }]);
    expect(far.offers()).toEqual([]);
    expect(middle.offers()).toEqual([]);
    expect(stranger.offers()).toEqual([]);
    expect(delivery.status).toBe('offered');
  });

  it('prices a new delivery once and offers it in the same transaction as its price', async () => {
    const { agencyId } = await h.agency();
    const rider = await h.online((await h.rider(agencyId, '바로 라이더')).token, NEAR_CITY_HALL.m300);
    const event = orderEvent(agencyId);
    await h.publish(event);
    const offer = await rider.waitForOffer();
    expect(offer.feePending).toBe(false);

    const delivery = await h.deliveryOf(event.orderId);
    // One quote asked of fee (no pass asked again while the first answer was on its way).
    expect(await h.query('SELECT id FROM fee.quotes WHERE order_id = $1', [event.orderId])).toEqual([{ id: delivery.fee!.quoteId }]);
    // Priced and offered by one transaction: the price, the offer and the move to offered share its clock.
    const [times] = await h.query<{ quoted_at: Date; offered_at: Date; logged_at: Date }>(
      `SELECT d.quoted_at, o.created_at AS offered_at, t.at AS logged_at FROM dispatch.deliveries d
         JOIN dispatch.offers o ON o.delivery_id = d.id JOIN dispatch.delivery_transitions t ON t.delivery_id = d.id AND t.to_status = 'offered'
        WHERE d.id = $1`,
      [delivery.id],
    );
    expect(times.offered_at).toEqual(times.quoted_at);
    expect(times.logged_at).toEqual(times.quoted_at);
    const steps = await h.query<{ from_status: string | null; to_status: string; actor_type: string }>(
      'SELECT from_status, to_status, actor_type FROM dispatch.delivery_transitions WHERE delivery_id = $1 ORDER BY seq',
      [delivery.id],
    );
    expect(steps).toEqual([
      { from_status: null, to_status: 'pending', actor_type: 'restaurant' },
      { from_status: 'pending', to_status: 'offered', actor_type: 'system' },
    ]);
    // The restaurant's side hears the price once.
    const quoted = (await h.statusEvents(event.orderId)).filter((e) => e.status === 'quoted');
    expect(quoted).toEqual([expect.objectContaining({ deliveryId: delivery.id, fee: expect.objectContaining({ total: offer.fee }) })]);
  });

  it('creates one delivery per order from a burst of order events, repeats and second events for an order included', async () => {
    const { agencyId } = await h.agency();
    const events = Array.from({ length: 12 }, () => orderEvent(agencyId));
    const again = events.slice(0, 4).map((event) => ({ ...event }));
    const secondEventSameOrder = events.slice(4, 6).map((event) => ({ ...event, eventId: randomUUID() }));
    await Promise.all([...events, ...again, ...secondEventSameOrder].map((event) => h.publish(event)));
    const rows = await h.query<{ order_id: string; n: number }>(
      'SELECT order_id, count(*)::int AS n FROM dispatch.deliveries WHERE order_id = ANY($1::uuid[]) GROUP BY order_id',
      [events.map((event) => event.orderId)],
    );
    expect(rows).toHaveLength(12);
    expect(rows.every((row) => row.n === 1)).toBe(true);
    const created = await h.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM dispatch.delivery_transitions t JOIN dispatch.deliveries d ON d.id = t.delivery_id
        WHERE d.order_id = ANY($1::uuid[]) AND t.from_status IS NULL`,
      [events.map((event) => event.orderId)],
    );
    expect(created).toEqual([{ n: 12 }]);
  });

  it('gives a declined delivery to the next nearest rider, and never offers it to a decliner again', async () => {
    const { agencyId } = await h.agency();
    const near = await h.online((await h.rider(agencyId, '가까운')).token, NEAR_CITY_HALL.m300);
    const middle = await h.online((await h.rider(agencyId, '중간')).token, NEAR_CITY_HALL.m1500);
    const first = orderEvent(agencyId);
    await h.publish(first);

    const toNear = await near.waitForOffer();
    await expect(near.send('offer:decline', { offerId: toNear.offerId })).resolves.toEqual({ ok: true });
    const toMiddle = await middle.waitForOffer(toNear.deliveryId);
    await expect(middle.send('offer:decline', { offerId: toMiddle.offerId })).resolves.toEqual({ ok: true });
    // A declined offer cannot be taken back.
    await expect(near.send('offer:accept', { offerId: toNear.offerId })).resolves.toMatchObject({ ok: false, code: 'OFFER_CLOSED' });

    // Both declined and nobody else is online: the delivery waits. A later order reaching the nearest rider
    // shows the dispatcher has swept past the first one (oldest first) without offering it again.
    const second = orderEvent(agencyId);
    await h.publish(second);
    const secondOffer = await near.waitForOffer((await h.deliveryOf(second.orderId)).id);
    expect(near.offers().map((o) => o.deliveryId)).toEqual([toNear.deliveryId, secondOffer.deliveryId]);
    expect(middle.offers().map((o) => o.deliveryId)).toEqual([toNear.deliveryId]);
    expect((await h.deliveryOf(first.orderId)).status).toBe('pending');
    expect((await offersOf(toNear.deliveryId)).map((o) => o.status)).toEqual(['declined', 'declined']);

    // A new rider coming online gets it.
    const newcomer = await h.online((await h.rider(agencyId, '새로 온')).token, NEAR_CITY_HALL.m4000);
    await expect(newcomer.waitForOffer(toNear.deliveryId)).resolves.toMatchObject({ deliveryId: toNear.deliveryId });
  });

  it('keeps a delivery waiting while no rider is online, and offers it once one connects and says where it is', async () => {
    const { agencyId } = await h.agency();
    const { token } = await h.rider(agencyId, '늦게 온 라이더');
    const event = orderEvent(agencyId);
    await h.publish(event);
    // Priced, then waiting: no offer can exist without an online rider.
    const priced = await eventually(async () => {
      const d = await h.deliveryOf(event.orderId);
      return d.fee ? d : undefined;
    }, 'the delivery to be priced');
    expect(priced.status).toBe('pending');

    const rider = await h.connect(token);
    await rider.at(NEAR_CITY_HALL.m1500);
    const offer = await rider.waitForOffer();
    expect(offer.deliveryId).toBe(priced.id);
    expect(await offersOf(priced.id)).toEqual([{ rider_id: expect.any(String), status: 'pending' }]);
  });

  it('does not offer a rider more than it can carry; the next rider gets the job', async () => {
    const { agencyId } = await h.agency();
    const full = await h.rider(agencyId, '한 건만', 1);
    const fullRider = await h.online(full.token, NEAR_CITY_HALL.m300);
    const spare = await h.online((await h.rider(agencyId, '여유')).token, NEAR_CITY_HALL.m4000);

    const first = orderEvent(agencyId);
    await h.publish(first);
    const offer = await fullRider.waitForOffer();
    await expect(fullRider.send('offer:accept', { offerId: offer.offerId })).resolves.toMatchObject({ ok: true });

    const second = orderEvent(agencyId);
    await h.publish(second);
    const secondDelivery = await h.deliveryOf(second.orderId);
    await spare.waitForOffer(secondDelivery.id);
    expect(fullRider.offers()).toHaveLength(1);
    expect(await offersOf(secondDelivery.id)).toEqual([{ rider_id: expect.not.stringMatching(full.riderId), status: 'pending' }]);
  });

  it('refuses an accept beyond the rider\'s capacity, leaving the offer open to decline', async () => {
    const { agencyId } = await h.agency();
    const rider = await h.rider(agencyId, '두 건', 2);
    const [a, b] = [orderEvent(agencyId), orderEvent(agencyId)];
    // Both priced before any rider is online: the rider who comes online is offered them together, as one bundle.
    await h.publish(a);
    await h.publish(b);
    await eventually(async () => ((await h.deliveryOf(b.orderId)).fee !== null && (await h.deliveryOf(a.orderId)).fee !== null ? true : undefined), 'both priced');
    const client = await h.online(rider.token, NEAR_CITY_HALL.m300);
    const offerA = await client.waitForOffer((await h.deliveryOf(a.orderId)).id);
    const deliveryB = await h.deliveryOf(b.orderId);
    const offerB = await client.waitForOffer(deliveryB.id);
    const other = await h.online((await h.rider(agencyId, '다음')).token, NEAR_CITY_HALL.m4000);
    await expect(client.send('offer:accept', { offerId: offerA.offerId })).resolves.toMatchObject({ ok: true });

    // The agency cuts the rider's capacity to one while the second offer is out.
    await h.query('UPDATE dispatch.riders SET capacity = 1 WHERE id = $1', [rider.riderId]);
    await expect(client.send('offer:accept', { offerId: offerB.offerId })).resolves.toMatchObject({
      ok: false,
      code: 'RIDER_AT_CAPACITY',
      details: { active: 1, capacity: 1 },
    });
    expect((await h.deliveryOf(b.orderId)).status).toBe('offered');

    await expect(client.send('offer:decline', { offerId: offerB.offerId })).resolves.toEqual({ ok: true });
    await expect(other.waitForOffer(deliveryB.id)).resolves.toMatchObject({ deliveryId: deliveryB.id });
  });

  it('assigns exactly once when one offer is accepted twenty times at once from several devices', async () => {
    const { agencyId } = await h.agency();
    const { token, riderId } = await h.rider(agencyId, '손 빠른 라이더');
    const devices = [await h.online(token, NEAR_CITY_HALL.m300), await h.connect(token), await h.connect(token), await h.connect(token)];
    const event = orderEvent(agencyId);
    await h.publish(event);
    const offers = await Promise.all(devices.map((d) => d.waitForOffer()));
    expect(new Set(offers.map((o) => o.offerId)).size).toBe(1);

    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => devices[i % devices.length].send('offer:accept', { offerId: offers[0].offerId })),
    );
    const accepted = replies.filter((r) => r.ok);
    expect(accepted).toHaveLength(1);
    expect(accepted[0]).toMatchObject({ delivery: { id: offers[0].deliveryId, status: 'assigned' } });
    expect(replies.filter((r) => !r.ok)).toEqual(
      Array(19).fill(expect.objectContaining({ code: 'OFFER_TAKEN', details: { deliveryId: offers[0].deliveryId, assignedToYou: true } })),
    );

    const delivery = await h.deliveryOf(event.orderId);
    expect(delivery).toMatchObject({ status: 'assigned', rider_id: riderId });
    const assigned = (await h.statusEvents(event.orderId)).filter((e) => e.status === 'assigned');
    expect(assigned).toEqual([expect.objectContaining({ deliveryId: delivery.id, rider: { id: riderId, name: '손 빠른 라이더' } })]);
  });
});
