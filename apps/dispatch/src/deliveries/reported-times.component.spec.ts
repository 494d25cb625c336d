import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { NEAR_CITY_HALL, orderEvent, startDispatch, type DispatchHarness } from '../../test/dispatch-harness.js';

/** Reports a rider's app kept while offline carry the device's time (`at`): the delivery is dated by it. */
describe("riders' reports dated by the device (component, real PostgreSQL and sockets)", () => {
  let h: DispatchHarness;

  beforeAll(async () => {
    h = await startDispatch({ env: { RIDER_REPORT_MAX_SKEW_SECONDS: '10' } });
  });

  afterAll(async () => {
    await h?.close();
  });

  async function assigned() {
    const { agencyId, apiKey } = await h.agency();
    const rider = await h.online((await h.rider(agencyId, '오프라인 라이더')).token, NEAR_CITY_HALL.m300);
    const event = orderEvent(agencyId);
    await h.publish(event);
    const offer = await rider.waitForOffer();
    const accepted = await rider.send('offer:accept', { offerId: offer.offerId });
    expect(accepted.ok).toBe(true);
    const assignedAt = new Date((accepted.delivery as { assignedAt: string }).assignedAt);
    return { agencyId, apiKey, rider, event, deliveryId: offer.deliveryId, assignedAt };
  }

  const board = async (agencyId: string, apiKey: string, deliveryId: string) =>
    (await request(h.dispatchUrl).get(`/v1/agencies/${agencyId}/deliveries/${deliveryId}`).set('authorization', `Bearer ${apiKey}`).expect(200)).body;

  it('dates pickup and delivery by the device, keeps the time each arrived, settles and shows the reported times, once', async () => {
    const { agencyId, apiKey, rider, event, deliveryId, assignedAt } = await assigned();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const pickedUpAt = new Date(assignedAt.getTime() + 100).toISOString();
    const deliveredAt = new Date(assignedAt.getTime() + 200).toISOString();

    const pickup = await rider.send('delivery:pickedUp', { deliveryId, at: pickedUpAt });
    expect(pickup).toMatchObject({ ok: true, delivery: { status: 'picked_up', pickedUpAt } });
    const delivered = await rider.send('delivery:delivered', { deliveryId, at: deliveredAt });
    expect(delivered).toMatchObject({ ok: true, delivery: { status: 'delivered', pickedUpAt, deliveredAt } });
    // Sent again (its answer lost on the way back): the same delivery, nothing moves twice.
    await expect(rider.send('delivery:delivered', { deliveryId, at: deliveredAt })).resolves.toMatchObject({ ok: true, delivery: { deliveredAt } });
    await expect(rider.send('delivery:pickedUp', { deliveryId, at: pickedUpAt })).resolves.toMatchObject({ ok: false, code: 'INVALID_TRANSITION' });

    const detail = await board(agencyId, apiKey, deliveryId);
    expect(detail).toMatchObject({ status: 'delivered', pickedUpAt, deliveredAt });
    const steps = detail.transitions.filter((t: { to: string }) => t.to === 'picked_up' || t.to === 'delivered');
    expect(steps).toEqual([
      expect.objectContaining({ to: 'picked_up', reportedAt: pickedUpAt, actor: { type: 'rider', id: expect.any(String) } }),
      expect.objectContaining({ to: 'delivered', reportedAt: deliveredAt }),
    ]);
    // Received after the wait, so later than the times reported.
    for (const step of steps) expect(Date.parse(step.at)).toBeGreaterThan(Date.parse(step.reportedAt) + 50);

    const charges = await h.chargeEvents(event.orderId);
    expect(charges.filter((c) => c.stage === 'picked_up' || c.stage === 'delivered').map((c) => [c.stage, c.at])).toEqual([
      ['picked_up', pickedUpAt],
      ['delivered', deliveredAt],
    ]);
  });

  it('refuses a time ahead of the server beyond the skew, or before the assignment or the pickup, saying why, and moves nothing', async () => {
    const { rider, deliveryId, assignedAt } = await assigned();
    const ahead = new Date(Date.now() + 60_000).toISOString();
    await expect(rider.send('delivery:pickedUp', { deliveryId, at: ahead })).resolves.toMatchObject({
      ok: false,
      code: 'REPORTED_AT_REFUSED',
      details: { at: ahead, serverTime: expect.any(String), maxSkewSeconds: 10 },
    });
    const before = new Date(assignedAt.getTime() - 1000).toISOString();
    await expect(rider.send('delivery:pickedUp', { deliveryId, at: before })).resolves.toMatchObject({
      ok: false,
      code: 'REPORTED_AT_REFUSED',
      details: { at: before, notBefore: assignedAt.toISOString() },
    });
    await expect(rider.send('delivery:pickedUp', { deliveryId, at: 'yesterday' })).resolves.toMatchObject({
      ok: false,
      code: 'VALIDATION_FAILED',
      details: [expect.objectContaining({ field: 'at', value: 'yesterday' })],
    });
    expect(await h.query('SELECT status, picked_up_at FROM dispatch.deliveries WHERE id = $1', [deliveryId])).toEqual([{ status: 'assigned', picked_up_at: null }]);

    // A time a few seconds ahead (a fast device clock) is taken; a failure cannot be dated before that pickup.
    const fast = new Date(Date.now() + 3000).toISOString();
    await expect(rider.send('delivery:pickedUp', { deliveryId, at: fast })).resolves.toMatchObject({ ok: true, delivery: { pickedUpAt: fast } });
    await expect(rider.send('delivery:failed', { deliveryId, reason: '고객 부재', at: new Date(Date.parse(fast) - 1000).toISOString() })).resolves.toMatchObject({
      ok: false,
      code: 'REPORTED_AT_REFUSED',
      details: { notBefore: fast },
    });
    const failedAt = new Date(Date.parse(fast) + 500).toISOString();
    await expect(rider.send('delivery:failed', { deliveryId, reason: '고객 부재', at: failedAt })).resolves.toMatchObject({ ok: true, delivery: { status: 'failed' } });
    const [row] = await h.query<{ failed_at: Date }>('SELECT failed_at FROM dispatch.deliveries WHERE id = $1', [deliveryId]);
    expect(row!.failed_at.toISOString()).toBe(failedAt);
  });

  it('dates a report without `at` by the server, as before', async () => {
    const { rider, deliveryId } = await assigned();
    const sent = Date.now();
    const reply = await rider.send('delivery:pickedUp', { deliveryId });
    expect(Math.abs(Date.parse((reply.delivery as { pickedUpAt: string }).pickedUpAt) - sent)).toBeLessThan(5000);
    const [step] = await h.query<{ reported_at: Date | null }>(`SELECT reported_at FROM dispatch.delivery_transitions WHERE delivery_id = $1 AND to_status = 'picked_up'`, [
      deliveryId,
    ]);
    expect(step).toEqual({ reported_at: null });
  });
});
