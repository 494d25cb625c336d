import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { NEAR_CITY_HALL, agencyDeliveriesApi, eventually, orderEvent, startDispatch, type DispatchHarness, type RiderClient } from '../../test/dispatch-harness.js';

/** A short wait in which a 50 ms dispatcher sweeps many times: long enough for an offer that should not come. */
const SEVERAL_SWEEPS_MS = 600;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the agency dispatching by hand, and the delivery lifecycle log (component, real PostgreSQL and sockets)', () => {
  let h: DispatchHarness;

  beforeAll(async () => {
    h = await startDispatch();
  });

  afterAll(async () => {
    await h?.close();
  });

  const agency = () => agencyDeliveriesApi(h);

  /** A priced delivery waiting for a rider (nobody of the agency is located, so nobody is offered it). */
  async function waiting(agencyId: string) {
    const event = orderEvent(agencyId);
    await h.publish(event);
    await eventually(async () => (await h.deliveryOf(event.orderId)).fee ?? undefined, `the price of order ${event.orderId}`);
    return { event, deliveryId: (await h.deliveryOf(event.orderId)).id };
  }

  /** A rider connected but without a position: it is never offered work, but may be given it by hand. */
  async function idleRider(agencyId: string, name: string, capacity?: number) {
    const { riderId, token } = await h.rider(agencyId, name, capacity);
    return { riderId, token, client: await h.connect(token) };
  }

  async function accept(rider: RiderClient, deliveryId: string) {
    const offer = await rider.waitForOffer(deliveryId);
    const reply = await rider.send('offer:accept', { offerId: offer.offerId });
    expect(reply.ok).toBe(true);
    return offer;
  }

  /** A rider online by the restaurant who was offered a new order's delivery and accepted it. */
  async function acceptedBy(agencyId: string, name: string, capacity?: number) {
    const rider = await h.rider(agencyId, name, capacity);
    const client = await h.online(rider.token, NEAR_CITY_HALL.m300);
    const event = orderEvent(agencyId);
    await h.publish(event);
    const { id: deliveryId } = await h.deliveryOf(event.orderId);
    await accept(client, deliveryId);
    return { rider, client, event, deliveryId };
  }

  const statusOf = async (deliveryId: string) =>
    (await h.query<{ status: string; rider_id: string | null; dispatch_hold: boolean }>('SELECT status, rider_id, dispatch_hold FROM dispatch.deliveries WHERE id = $1', [deliveryId]))[0];

  it('logs every step with its actor, and shows the waits and the steps to the agency', async () => {
    const a = await agency();
    const { rider, client, event, deliveryId } = await acceptedBy(a.agencyId, '기록 라이더');
    expect((await client.send('delivery:pickedUp', { deliveryId })).ok).toBe(true);

    const detail = await a.get(`/${deliveryId}`).expect(200);
    expect(detail.body).toMatchObject({
      id: deliveryId,
      status: 'picked_up',
      rider: { id: rider.riderId, name: '기록 라이더' },
      assignedBy: 'rider',
      dispatchHold: false,
      waitingSeconds: expect.any(Number),
      inStatusSeconds: expect.any(Number),
    });
    expect(detail.body.inStatusSeconds).toBeLessThanOrEqual(detail.body.waitingSeconds);
    expect(detail.body.transitions).toEqual([
      { from: null, to: 'pending', actor: { type: 'restaurant', id: event.restaurantId }, riderId: null, reason: null, at: expect.any(String), reportedAt: null },
      { from: 'pending', to: 'offered', actor: { type: 'system', id: null }, riderId: null, reason: null, at: expect.any(String), reportedAt: null },
      { from: 'offered', to: 'assigned', actor: { type: 'rider', id: rider.riderId }, riderId: rider.riderId, reason: null, at: expect.any(String), reportedAt: null },
      { from: 'assigned', to: 'picked_up', actor: { type: 'rider', id: rider.riderId }, riderId: rider.riderId, reason: null, at: expect.any(String), reportedAt: null },
    ]);
    // The log and the row agree, step for step, and each step's time is the row's time for it.
    const [row] = await h.query<{ assigned_at: Date; picked_up_at: Date }>('SELECT assigned_at, picked_up_at FROM dispatch.deliveries WHERE id = $1', [deliveryId]);
    expect(detail.body.transitions[2].at).toBe(row.assigned_at.toISOString());
    expect(detail.body.transitions[3].at).toBe(row.picked_up_at.toISOString());

    // The board filters by several statuses at once and shows the same waits. The other order may be offered
    // to the rider by now, or still waiting.
    const other = await waiting(a.agencyId);
    const board = await a.get('?status=pending,offered,picked_up').expect(200);
    expect(board.body.deliveries.map((d: { id: string }) => d.id).sort()).toEqual([deliveryId, other.deliveryId].sort());
    const waitingOne = board.body.deliveries.find((d: { id: string }) => d.id === other.deliveryId);
    expect(waitingOne).toMatchObject({ rider: null, assignedBy: null, waitingSeconds: expect.any(Number), inStatusSeconds: expect.any(Number) });
    expect((await a.get('?status=picked_up').expect(200)).body.deliveries.map((d: { id: string }) => d.id)).toEqual([deliveryId]);
    expect((await a.get('?status=delivered,cancelled').expect(200)).body.deliveries).toEqual([]);
    expect((await a.get('?status=pending,teleported').expect(400)).body.error).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('reports waits in seconds since the order arrived and since the last step', async () => {
    const a = await agency();
    const { deliveryId } = await waiting(a.agencyId);
    // Move the delivery's history back: created 5 minutes ago, last step 2 minutes ago.
    await h.query(`UPDATE dispatch.deliveries SET created_at = now() - interval '300 seconds' WHERE id = $1`, [deliveryId]);
    await h.query(`UPDATE dispatch.delivery_transitions SET at = now() - interval '120 seconds' WHERE delivery_id = $1`, [deliveryId]);
    const { body } = await a.get(`/${deliveryId}`).expect(200);
    expect(body.waitingSeconds).toBeGreaterThanOrEqual(300);
    expect(body.waitingSeconds).toBeLessThan(310);
    expect(body.inStatusSeconds).toBeGreaterThanOrEqual(120);
    expect(body.inStatusSeconds).toBeLessThan(130);
  });

  it('assigns a waiting delivery by hand: the rider is told, the restaurant sees the rider, and the log names the agency', async () => {
    const a = await agency();
    const { event, deliveryId } = await waiting(a.agencyId);
    const rider = await idleRider(a.agencyId, '수동 라이더');

    const { body } = await a.post(`/${deliveryId}/assign`, { riderId: rider.riderId }).expect(200);
    expect(body).toMatchObject({ id: deliveryId, status: 'assigned', rider: { id: rider.riderId, name: '수동 라이더' }, assignedBy: 'agency' });
    const told = await rider.client.waitFor('delivery:assigned', (d: { id: string }) => d.id === deliveryId);
    expect(told).toMatchObject({ id: deliveryId, status: 'assigned', fee: expect.any(Number), restaurantName: '시청앞 김밥' });

    const events = await h.statusEvents(event.orderId);
    expect(events.at(-1)).toMatchObject({ status: 'assigned', rider: { id: rider.riderId, name: '수동 라이더' } });
    const log = (await a.get(`/${deliveryId}`).expect(200)).body.transitions;
    expect(log.at(-1)).toMatchObject({ from: 'pending', to: 'assigned', actor: { type: 'agency', id: a.agencyId }, riderId: rider.riderId });

    // The rider carries it like any other.
    expect(await rider.client.send('delivery:pickedUp', { deliveryId })).toMatchObject({ ok: true, delivery: { status: 'picked_up' } });
    // Assigning again is refused, pointing at reassign.
    const again = await a.post(`/${deliveryId}/assign`, { riderId: rider.riderId }).expect(409);
    expect(again.body.error).toMatchObject({ code: 'INVALID_TRANSITION', details: { from: 'picked_up', to: 'assigned', allowed: ['delivered', 'failed'] } });
  });

  it('assigns an offered delivery by hand to someone else: the offered rider is told it was taken and can no longer accept', async () => {
    const a = await agency();
    const offered = await h.online((await h.rider(a.agencyId, '제안받은 라이더')).token, NEAR_CITY_HALL.m300);
    const chosen = await idleRider(a.agencyId, '지정 라이더');
    const event = orderEvent(a.agencyId);
    await h.publish(event);
    const { id: deliveryId } = await h.deliveryOf(event.orderId);
    const offer = await offered.waitForOffer(deliveryId);

    await a.post(`/${deliveryId}/assign`, { riderId: chosen.riderId }).expect(200);
    await offered.waitFor('offer:taken', (p: { offerId: string }) => p.offerId === offer.offerId);
    await chosen.client.waitFor('delivery:assigned', (d: { id: string }) => d.id === deliveryId);
    expect(await offered.send('offer:accept', { offerId: offer.offerId })).toMatchObject({
      ok: false,
      code: 'OFFER_TAKEN',
      details: { deliveryId, assignedToYou: false },
    });
    expect(await statusOf(deliveryId)).toMatchObject({ status: 'assigned', rider_id: chosen.riderId });
  });

  it('assigns an offered delivery by hand to the rider holding the offer: its accept then says it has it', async () => {
    const a = await agency();
    const { riderId, token } = await h.rider(a.agencyId, '바로 그 라이더');
    const client = await h.online(token, NEAR_CITY_HALL.m300);
    const event = orderEvent(a.agencyId);
    await h.publish(event);
    const { id: deliveryId } = await h.deliveryOf(event.orderId);
    const offer = await client.waitForOffer(deliveryId);

    await a.post(`/${deliveryId}/assign`, { riderId }).expect(200);
    await client.waitFor('delivery:assigned', (d: { id: string }) => d.id === deliveryId);
    expect(await client.send('offer:accept', { offerId: offer.offerId })).toMatchObject({ ok: false, code: 'OFFER_TAKEN', details: { assignedToYou: true } });
    expect(client.events('offer:taken')).toEqual([]);
  });

  it('refuses a rider without room, another agency rider, an unpriced delivery and a bad body, changing nothing', async () => {
    const a = await agency();
    const full = await idleRider(a.agencyId, '꽉 찬 라이더', 1);
    const first = await waiting(a.agencyId);
    await a.post(`/${first.deliveryId}/assign`, { riderId: full.riderId }).expect(200);
    const second = await waiting(a.agencyId);

    const atCapacity = await a.post(`/${second.deliveryId}/assign`, { riderId: full.riderId }).expect(409);
    expect(atCapacity.body.error).toMatchObject({ code: 'RIDER_AT_CAPACITY', details: { active: 1, capacity: 1 } });

    const stranger = await h.rider((await h.agency()).agencyId, '남의 라이더');
    expect((await a.post(`/${second.deliveryId}/assign`, { riderId: stranger.riderId }).expect(404)).body.error).toMatchObject({ code: 'RIDER_NOT_FOUND' });
    expect((await a.post(`/${second.deliveryId}/assign`, { riderId: randomUUID() }).expect(404)).body.error).toMatchObject({ code: 'RIDER_NOT_FOUND' });
    expect((await a.post(`/${second.deliveryId}/assign`, { riderId: 'rider-7' }).expect(400)).body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [expect.objectContaining({ field: 'riderId' })],
    });
    expect((await a.post(`/${second.deliveryId}/assign`, {}).expect(400)).body.error).toMatchObject({ code: 'VALIDATION_FAILED' });

    // A delivery fee refuses to price (no tariff, out of area): the agency must fix that before a rider can carry it.
    const { event: refusedEvent } = await waiting(a.agencyId);
    const refused = await h.deliveryOf(refusedEvent.orderId);
    await h.query(
      `UPDATE dispatch.deliveries SET fee = NULL, quoted_at = NULL, next_quote_at = now() + interval '1 hour',
         pricing_problem = '{"code": "OUTSIDE_SERVICE_AREA", "message": "outside", "at": "2026-11-22T00:00:00Z"}' WHERE id = $1`,
      [refused.id],
    );
    const free = await idleRider(a.agencyId, '빈 라이더');
    expect((await a.post(`/${refused.id}/assign`, { riderId: free.riderId }).expect(409)).body.error).toMatchObject({
      code: 'DELIVERY_NOT_PRICED',
      details: { pricingProblem: 'OUTSIDE_SERVICE_AREA' },
    });

    expect(await statusOf(second.deliveryId)).toMatchObject({ status: 'pending', rider_id: null });
    expect(await statusOf(refused.id)).toMatchObject({ status: 'pending', rider_id: null });
    expect(free.client.events('delivery:assigned')).toEqual([]);
  });

  it('assigns a delivery fee has not priced yet with its fee pending; the rider gets the price once fee answers', async () => {
    const a = await agency();
    const { event } = await waiting(a.agencyId);
    const { id: deliveryId, fee } = await h.deliveryOf(event.orderId);
    // As if fee had not answered yet: no price, the next try in a moment.
    await h.query(`UPDATE dispatch.deliveries SET fee = NULL, quoted_at = NULL, next_quote_at = now() + interval '1 second' WHERE id = $1`, [deliveryId]);
    const rider = await idleRider(a.agencyId, '요금 대기 라이더');
    const { body } = await a.post(`/${deliveryId}/assign`, { riderId: rider.riderId }).expect(200);
    expect(body).toMatchObject({ status: 'assigned', fee: null, feePending: true, rider: { id: rider.riderId } });
    expect(await rider.client.waitFor('delivery:assigned')).toMatchObject({ id: deliveryId, fee: null });
    expect(await rider.client.waitFor('delivery:fee')).toMatchObject({ deliveryId, fee: fee!.total });
    expect((await a.get(`/${deliveryId}`)).body).toMatchObject({ status: 'assigned', feePending: false, fee: { total: fee!.total } });
  });

  it('reassigns before pickup: the old rider is told why, the new one gets it, the restaurant sees the new rider', async () => {
    const a = await agency();
    const { rider: first, client: firstClient, event, deliveryId } = await acceptedBy(a.agencyId, '처음 라이더');
    const second = await idleRider(a.agencyId, '다음 라이더');

    const { body } = await a.post(`/${deliveryId}/reassign`, { riderId: second.riderId, reason: '가까운 기사에게' }).expect(200);
    expect(body).toMatchObject({ status: 'assigned', rider: { id: second.riderId, name: '다음 라이더' }, assignedBy: 'agency' });
    expect(await firstClient.waitFor('delivery:unassigned')).toEqual({ deliveryId, reason: '가까운 기사에게' });
    await second.client.waitFor('delivery:assigned', (d: { id: string }) => d.id === deliveryId);
    expect((await h.statusEvents(event.orderId)).filter((e) => e.status === 'assigned').map((e) => e.rider)).toEqual([
      { id: first.riderId, name: '처음 라이더' },
      { id: second.riderId, name: '다음 라이더' },
    ]);
    expect((await a.get(`/${deliveryId}`)).body.transitions.at(-1)).toMatchObject({
      from: 'assigned',
      to: 'assigned',
      actor: { type: 'agency', id: a.agencyId },
      riderId: second.riderId,
      reason: '가까운 기사에게',
    });
    // The old rider has nothing to report on it any more.
    expect(await firstClient.send('delivery:pickedUp', { deliveryId })).toMatchObject({ ok: false, code: 'DELIVERY_NOT_FOUND' });
    expect((await a.post(`/${deliveryId}/reassign`, { riderId: second.riderId }).expect(400)).body.error).toMatchObject({ code: 'VALIDATION_FAILED' });

    expect((await second.client.send('delivery:pickedUp', { deliveryId })).ok).toBe(true);
    const late = await a.post(`/${deliveryId}/reassign`, { riderId: first.riderId }).expect(409);
    expect(late.body.error).toMatchObject({ code: 'INVALID_TRANSITION', details: { from: 'picked_up', to: 'assigned' } });
    expect((await a.post(`/${deliveryId}/unassign`).expect(409)).body.error).toMatchObject({ code: 'INVALID_TRANSITION', details: { from: 'picked_up', to: 'pending' } });
  });

  it('unassigns: the rider is told, the delivery goes to another rider, and never back to the one it was taken from', async () => {
    const a = await agency();
    const { client: nearClient, deliveryId, event } = await acceptedBy(a.agencyId, '가까운 라이더');
    const far = await h.online((await h.rider(a.agencyId, '먼 라이더')).token, NEAR_CITY_HALL.m4000);

    const { body } = await a.post(`/${deliveryId}/unassign`).expect(200);
    expect(body).toMatchObject({ status: 'pending', rider: null, dispatchHold: false });
    expect(await nearClient.waitFor('delivery:unassigned')).toEqual({ deliveryId, reason: 'taken back by the agency' });
    // The restaurant is told its order waits for a rider again.
    expect((await h.statusEvents(event.orderId)).map((e) => e.status)).toEqual(['quoted', 'assigned', 'unassigned']);
    expect((await h.statusEvents(event.orderId)).at(-1)).toMatchObject({ status: 'unassigned', reason: 'taken back by the agency' });
    // The nearer rider is online, located and free, yet the delivery goes to the farther one.
    await far.waitForOffer(deliveryId);
    expect(nearClient.offers().filter((o) => o.deliveryId === deliveryId)).toHaveLength(1);
    const log = (await a.get(`/${deliveryId}`)).body.transitions;
    expect(log.find((t: { from: string; to: string }) => t.from === 'assigned' && t.to === 'pending')).toMatchObject({
      actor: { type: 'agency', id: a.agencyId },
      riderId: null,
    });
  });

  it('unassigns a delivery assigned by hand: that rider is not offered it automatically either', async () => {
    const a = await agency();
    const { deliveryId } = await waiting(a.agencyId);
    const { riderId, token } = await h.rider(a.agencyId, '수동 후 해제');
    const client = await h.connect(token);
    await a.post(`/${deliveryId}/assign`, { riderId }).expect(200);
    await a.post(`/${deliveryId}/unassign`, { reason: '고객 요청' }).expect(200);
    expect(await client.waitFor('delivery:unassigned')).toEqual({ deliveryId, reason: '고객 요청' });
    await client.at(NEAR_CITY_HALL.m300);
    await pause(SEVERAL_SWEEPS_MS);
    expect(client.offers()).toEqual([]);
    expect(await statusOf(deliveryId)).toMatchObject({ status: 'pending' });
  });

  it('holds an unassigned delivery away from automatic dispatch until released', async () => {
    const a = await agency();
    const { deliveryId } = await acceptedBy(a.agencyId, '보류 전 라이더');
    const other = await h.online((await h.rider(a.agencyId, '대기 라이더')).token, NEAR_CITY_HALL.m1500);

    const held = await a.post(`/${deliveryId}/unassign`, { hold: true }).expect(200);
    expect(held.body).toMatchObject({ status: 'pending', dispatchHold: true });
    await pause(SEVERAL_SWEEPS_MS);
    expect(other.offers()).toEqual([]);
    expect(await statusOf(deliveryId)).toMatchObject({ status: 'pending', dispatch_hold: true });
    expect((await a.get('?status=pending')).body.deliveries).toEqual([expect.objectContaining({ id: deliveryId, dispatchHold: true })]);

    const released = await a.post(`/${deliveryId}/release`).expect(200);
    expect(released.body).toMatchObject({ dispatchHold: false });
    await other.waitForOffer(deliveryId);
    // Releasing again changes nothing.
    await a.post(`/${deliveryId}/release`).expect(200);
  });

  it('lets a manual assignment end a hold', async () => {
    const a = await agency();
    const { deliveryId } = await waiting(a.agencyId);
    const holder = await idleRider(a.agencyId, '첫 배정');
    await a.post(`/${deliveryId}/assign`, { riderId: holder.riderId }).expect(200);
    await a.post(`/${deliveryId}/unassign`, { hold: true }).expect(200);
    const next = await idleRider(a.agencyId, '보류 후 배정');
    const { body } = await a.post(`/${deliveryId}/assign`, { riderId: next.riderId }).expect(200);
    expect(body).toMatchObject({ status: 'assigned', dispatchHold: false, rider: { id: next.riderId } });
    expect((await a.post(`/${deliveryId}/unassign`, { hold: 'yes' }).expect(400)).body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [expect.objectContaining({ field: 'hold' })],
    });
  });

  it('fails a trip the rider reports: the restaurant hears why, fee settles it as a cancel after assignment, and the rider is free', async () => {
    const a = await agency();
    const { rider, client, event, deliveryId } = await acceptedBy(a.agencyId, '사고 라이더', 1);
    const { riderId } = rider;
    expect((await client.send('delivery:pickedUp', { deliveryId })).ok).toBe(true);
    // At capacity: the next order waits.
    const next = orderEvent(a.agencyId);
    await h.publish(next);
    const nextDelivery = await h.deliveryOf(next.orderId);
    await pause(SEVERAL_SWEEPS_MS);
    expect(client.offers().map((o) => o.deliveryId)).toEqual([deliveryId]);

    expect(await client.send('delivery:failed', { deliveryId, reason: '' })).toMatchObject({
      ok: false,
      code: 'VALIDATION_FAILED',
      details: [expect.objectContaining({ field: 'reason' })],
    });
    const reply = await client.send('delivery:failed', { deliveryId, reason: '고객 연락 두절' });
    expect(reply).toMatchObject({ ok: true, delivery: { id: deliveryId, status: 'failed' } });
    // Sent again (its answer lost): the same answer, nothing new.
    expect(await client.send('delivery:failed', { deliveryId, reason: '고객 연락 두절' })).toMatchObject({ ok: true, delivery: { status: 'failed' } });

    await client.waitForOffer(nextDelivery.id);
    const events = await h.statusEvents(event.orderId);
    expect(events.filter((e) => e.status === 'failed')).toEqual([expect.objectContaining({ status: 'failed', reason: '고객 연락 두절', deliveryId })]);
    const charges = await h.chargeEvents(event.orderId);
    expect(charges.at(-1)).toMatchObject({ stage: 'cancelled', riderId });
    const { body } = await a.get(`/${deliveryId}`).expect(200);
    expect(body).toMatchObject({ status: 'failed', failureReason: '고객 연락 두절', failedAt: expect.any(String), rider: { id: riderId } });
    expect(body.transitions.at(-1)).toMatchObject({ from: 'picked_up', to: 'failed', actor: { type: 'rider', id: riderId }, reason: '고객 연락 두절' });
    expect(await client.send('delivery:delivered', { deliveryId })).toMatchObject({
      ok: false,
      code: 'INVALID_TRANSITION',
      details: { from: 'failed', to: 'delivered', allowed: [] },
    });
  });

  it('fails a trip by the agency: its rider is told and freed; a waiting delivery cannot fail', async () => {
    const a = await agency();
    const rider = await idleRider(a.agencyId, '대행 실패', 1);
    const { event, deliveryId } = await waiting(a.agencyId);
    await a.post(`/${deliveryId}/assign`, { riderId: rider.riderId }).expect(200);

    expect((await a.post(`/${deliveryId}/fail`, {}).expect(400)).body.error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((await a.post(`/${deliveryId}/fail`, { reason: '   ' }).expect(400)).body.error).toMatchObject({ code: 'VALIDATION_FAILED' });
    const { body } = await a.post(`/${deliveryId}/fail`, { reason: '기사 사고' }).expect(200);
    expect(body).toMatchObject({ status: 'failed', failureReason: '기사 사고' });
    expect(await rider.client.waitFor('delivery:failed')).toEqual({ deliveryId, reason: '기사 사고' });
    expect((await h.statusEvents(event.orderId)).at(-1)).toMatchObject({ status: 'failed', reason: '기사 사고' });

    // Freed: the rider (capacity 1) can be given the next one.
    const next = await waiting(a.agencyId);
    await a.post(`/${next.deliveryId}/assign`, { riderId: rider.riderId }).expect(200);
    const third = await waiting(a.agencyId);
    const refused = await a.post(`/${third.deliveryId}/fail`, { reason: '아직 대기' }).expect(409);
    expect(refused.body.error).toMatchObject({ code: 'INVALID_TRANSITION', details: { from: 'pending', to: 'failed', allowed: ['offered', 'assigned', 'cancelled'] } });
    expect(refused.body.error.message).toContain('from pending to failed');
  });

  it('records a cancel with the agency as its actor', async () => {
    const a = await agency();
    const { deliveryId } = await waiting(a.agencyId);
    await a.post(`/${deliveryId}/cancel`).expect(200);
    expect((await a.get(`/${deliveryId}`)).body.transitions.at(-1)).toMatchObject({ from: 'pending', to: 'cancelled', actor: { type: 'agency', id: a.agencyId } });
    expect((await a.post(`/${deliveryId}/assign`, { riderId: randomUUID() }).expect(409)).body.error).toMatchObject({ code: 'INVALID_TRANSITION' });
  });

  it("shows and changes nothing of another agency's deliveries", async () => {
    const owner = await agency();
    const intruder = await agency();
    const ownRider = await idleRider(owner.agencyId, '주인 라이더');
    const intruderRider = await idleRider(intruder.agencyId, '침입 라이더');
    const { deliveryId } = await waiting(owner.agencyId);
    await owner.post(`/${deliveryId}/assign`, { riderId: ownRider.riderId }).expect(200);
    const before = await h.query('SELECT * FROM dispatch.deliveries WHERE id = $1', [deliveryId]);
    const steps = await h.query('SELECT count(*)::int AS n FROM dispatch.delivery_transitions WHERE delivery_id = $1', [deliveryId]);

    const calls: Array<[string, 'get' | 'post', object?]> = [
      [`/${deliveryId}`, 'get'],
      [`/${deliveryId}/assign`, 'post', { riderId: intruderRider.riderId }],
      [`/${deliveryId}/reassign`, 'post', { riderId: intruderRider.riderId }],
      [`/${deliveryId}/unassign`, 'post', { hold: true }],
      [`/${deliveryId}/release`, 'post'],
      [`/${deliveryId}/fail`, 'post', { reason: '남의 배달' }],
      [`/${deliveryId}/cancel`, 'post'],
    ];
    for (const [path, method, body] of calls) {
      // With its own agency in the path: the delivery is not found.
      const own = method === 'get' ? intruder.get(path) : intruder.post(path, body);
      expect({ path, body: (await own.expect(404)).body }).toMatchObject({ path, body: { error: { code: 'DELIVERY_NOT_FOUND' } } });
      // With the owner's agency in the path: the agency is not found.
      const url = `/v1/agencies/${owner.agencyId}/deliveries${path}`;
      const foreign = method === 'get' ? request(h.dispatchUrl).get(url) : request(h.dispatchUrl).post(url).send(body ?? {});
      expect({ path, body: (await foreign.set('authorization', `Bearer ${intruder.apiKey}`).expect(404)).body }).toMatchObject({
        path,
        body: { error: { code: 'AGENCY_NOT_FOUND' } },
      });
      await request(h.dispatchUrl)[method](url).expect(401);
    }
    expect((await intruder.get('').expect(200)).body.deliveries).toEqual([]);
    expect(await h.query('SELECT * FROM dispatch.deliveries WHERE id = $1', [deliveryId])).toEqual(before);
    expect(await h.query('SELECT count(*)::int AS n FROM dispatch.delivery_transitions WHERE delivery_id = $1', [deliveryId])).toEqual(steps);
    expect(intruderRider.client.events('delivery:assigned')).toEqual([]);
    expect(ownRider.client.events('delivery:unassigned')).toEqual([]);
  });
});
