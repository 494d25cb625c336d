import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LngLat } from '#contracts';
import { CITY_HALL, NEAR_CITY_HALL, eventually, orderEvent, startDispatch, type DispatchHarness, type RiderClient } from '../../test/dispatch-harness.js';
import { RiderPresenceKeeper } from './rider-presence.keeper.js';

/** About 5 km north of City Hall. */
const FIVE_KM_NORTH = { lng: 126.978, lat: 37.6115 };
const secondsAgo = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();

/**
 * Waits until the order's delivery is priced and several dispatch sweeps have passed since: long enough for
 * an available rider to have been offered it.
 */
async function pricedAndSwept(h: DispatchHarness, orderId: string) {
  await eventually(async () => ((await h.deliveryOf(orderId)).fee ? true : undefined), `delivery of order ${orderId} priced`);
  await sleep(400);
  return h.deliveryOf(orderId);
}

describe('rider presence: breaks, plausible positions, batched persistence, reconnecting (component, real PostgreSQL)', () => {
  let h: DispatchHarness;

  beforeAll(async () => {
    // Positions are written only when a test flushes, so it can count the statements.
    h = await startDispatch({ env: { RIDER_POSITION_FLUSH_MS: '3600000' } });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('offers a rider on break nothing, though it stays connected, and offers again once the break ends', async () => {
    const { agencyId, apiKey } = await h.agency();
    const { token } = await h.rider(agencyId, '쉬는 라이더');
    const phone = await h.online(token, NEAR_CITY_HALL.m300);
    const tablet = await h.connect(token);
    await expect(phone.waitFor('presence')).resolves.toEqual({ state: 'online' });

    await expect(phone.send('break:start')).resolves.toEqual({ ok: true, state: 'on_break' });
    // Every device hears of it.
    await tablet.waitFor('presence', (p) => p.state === 'on_break');
    expect(await h.agencyRiders(agencyId, apiKey)).toEqual([expect.objectContaining({ state: 'on_break', online: true })]);

    const event = orderEvent(agencyId);
    await h.publish(event);
    expect((await pricedAndSwept(h, event.orderId)).status).toBe('pending');
    expect(phone.offers()).toEqual([]);

    await expect(tablet.send('break:end')).resolves.toEqual({ ok: true, state: 'online' });
    const offer = await phone.waitForOffer();
    expect(offer.deliveryId).toBe((await h.deliveryOf(event.orderId)).id);
    expect(phone.events('presence').at(-1)).toEqual({ state: 'online' });
  });

  it('refuses a jump at 300 km/h with the reason and keeps the last position', async () => {
    const { agencyId, apiKey } = await h.agency();
    const rider = await h.connect((await h.rider(agencyId, '순간이동 라이더')).token);
    await expect(rider.send('location', { ...CITY_HALL, at: secondsAgo(60) })).resolves.toEqual({ ok: true });

    const jump = await rider.send('location', { ...FIVE_KM_NORTH, at: secondsAgo(0) });
    expect(jump).toMatchObject({ ok: false, code: 'IMPLAUSIBLE_LOCATION', message: expect.stringContaining('km/h') });
    const details = jump.details as { speedKmh: number; fromLastMeters: number; seconds: number };
    expect(details.fromLastMeters).toBeGreaterThan(4990);
    expect(details.fromLastMeters).toBeLessThan(5020);
    expect(details.seconds).toBeGreaterThan(59);
    expect(details.seconds).toBeLessThan(62);
    expect(details.speedKmh).toBeGreaterThan(290);
    expect(details.speedKmh).toBeLessThan(305);

    const [shown] = await h.agencyRiders(agencyId, apiKey);
    expect(shown.position).toMatchObject(CITY_HALL);
    expect(shown.position.ageSeconds).toBeGreaterThanOrEqual(59);
  });

  it('refuses a position dated in the future or before the last one taken, and a malformed time', async () => {
    const { agencyId, apiKey } = await h.agency();
    const rider = await h.connect((await h.rider(agencyId, '시계 라이더')).token);
    await expect(rider.send('location', { ...CITY_HALL, at: secondsAgo(10) })).resolves.toEqual({ ok: true });

    const future = await rider.send('location', { ...NEAR_CITY_HALL.m300, at: secondsAgo(-60) });
    expect(future).toMatchObject({ ok: false, code: 'STALE_LOCATION', details: { serverTime: expect.any(String) } });
    const older = await rider.send('location', { ...NEAR_CITY_HALL.m300, at: secondsAgo(20) });
    expect(older).toMatchObject({ ok: false, code: 'STALE_LOCATION', details: { lastAt: expect.any(String) } });
    const malformed = await rider.send('location', { ...NEAR_CITY_HALL.m300, at: 'yesterday' });
    expect(malformed).toMatchObject({ ok: false, code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'at' })] });

    expect((await h.agencyRiders(agencyId, apiKey))[0].position).toMatchObject(CITY_HALL);
    // The heartbeat's serverTime lets an app whose clock is off correct its `at`.
    const beat = await rider.send('heartbeat');
    expect(beat).toEqual({ ok: true, serverTime: expect.any(String) });
    expect(Number.isNaN(Date.parse(beat.serverTime as string))).toBe(false);
  });

  it('sends a reconnecting rider its active jobs and its pending offer again', async () => {
    const { agencyId } = await h.agency();
    const { token } = await h.rider(agencyId, '재접속 라이더');
    const first = await h.connect(token);
    await expect(first.waitFor('jobs')).resolves.toEqual({ deliveries: [] });

    // Two orders priced before the rider reports where it is: it is offered both at once (one bundle).
    const [carried, waiting] = [orderEvent(agencyId), orderEvent(agencyId)];
    for (const order of [carried, waiting]) await h.publish(order);
    for (const order of [carried, waiting]) await pricedAndSwept(h, order.orderId);
    await first.at(NEAR_CITY_HALL.m300);
    const carriedOffer = await first.waitForOffer((await h.deliveryOf(carried.orderId)).id);
    const pending = await first.waitForOffer((await h.deliveryOf(waiting.orderId)).id);
    expect((await first.send('offer:accept', { offerId: carriedOffer.offerId })).ok).toBe(true);
    expect((await first.send('delivery:pickedUp', { deliveryId: carriedOffer.deliveryId })).ok).toBe(true);
    first.disconnect();

    const again = await h.connect(token);
    const jobs = await again.waitFor<{ deliveries: Array<Record<string, unknown>> }>('jobs');
    expect(jobs.deliveries).toEqual([
      expect.objectContaining({ id: carriedOffer.deliveryId, orderId: carried.orderId, status: 'picked_up', restaurantName: '시청앞 김밥' }),
    ]);
    await expect(again.waitForOffer(pending.deliveryId)).resolves.toEqual(pending);
    // Nothing was unassigned by the drop.
    expect(await h.deliveryOf(carried.orderId)).toMatchObject({ status: 'picked_up', rider_id: expect.any(String) });
  });

  it('writes the riders that moved since the last flush in one statement, and shows them as last known after a restart', async () => {
    const { agencyId, apiKey } = await h.agency('기억하는 대행');
    const riders = await Promise.all(['가 라이더', '나 라이더', '다 라이더'].map((name) => h.rider(agencyId, name)));
    const [a, b, c] = riders;
    const keeper = () => h.dispatch.get(RiderPresenceKeeper);
    const stored = async () =>
      new Map(
        (
          await h.query<{ rider_id: string; lng: number; lat: number; reported_at: Date }>(
            'SELECT rider_id, lng, lat, reported_at FROM dispatch.rider_positions WHERE rider_id = ANY($1::uuid[])',
            [riders.map((r) => r.riderId)],
          )
        ).map((row) => [row.rider_id, row]),
      );
    const positionWrites = async (work: () => Promise<unknown>) => {
      const spy = jest.spyOn(h.dataSource, 'query');
      try {
        await work();
        return spy.mock.calls.filter(([sql]) => /rider_positions/.test(String(sql)));
      } finally {
        spy.mockRestore();
      }
    };
    const report = (client: RiderClient, point: LngLat, ago: number) => client.send('location', { ...point, at: secondsAgo(ago) });

    const clientA = await h.connect(a.token);
    const clientB = await h.connect(b.token);
    const clientC = await h.connect(c.token);
    // Other tests' riders may be waiting to be written too; start from nothing.
    await keeper().flush();

    await report(clientA, CITY_HALL, 30);
    await report(clientB, NEAR_CITY_HALL.m300, 30);
    let writes = await positionWrites(() => keeper().flush());
    expect(writes).toHaveLength(1);
    expect(new Set((writes[0][1] as unknown[][])[0])).toEqual(new Set([a.riderId, b.riderId]));
    const afterFirst = await stored();
    expect([...afterFirst.keys()].sort()).toEqual([a.riderId, b.riderId].sort());
    expect(afterFirst.get(a.riderId)).toMatchObject(CITY_HALL);

    await report(clientA, NEAR_CITY_HALL.m300, 20);
    await report(clientC, NEAR_CITY_HALL.m1500, 20);
    writes = await positionWrites(() => keeper().flush());
    expect(writes).toHaveLength(1);
    expect(new Set((writes[0][1] as unknown[][])[0])).toEqual(new Set([a.riderId, c.riderId]));
    const afterSecond = await stored();
    expect(afterSecond.get(a.riderId)).toMatchObject(NEAR_CITY_HALL.m300);
    expect(afterSecond.get(a.riderId)!.reported_at.getTime()).toBeGreaterThan(afterFirst.get(a.riderId)!.reported_at.getTime());
    // b did not move: its row was not touched.
    expect(afterSecond.get(b.riderId)!.reported_at).toEqual(afterFirst.get(b.riderId)!.reported_at);
    expect(afterSecond.get(c.riderId)).toMatchObject(NEAR_CITY_HALL.m1500);

    // Nobody moved: nothing is written.
    expect(await positionWrites(() => keeper().flush())).toHaveLength(0);

    // Reported after the last flush: written on shutdown.
    await report(clientA, CITY_HALL, 10);
    await h.restart();

    const board = await h.agencyRiders(agencyId, apiKey);
    expect(board.map((r) => [r.name, r.state, r.position && { lng: r.position.lng, lat: r.position.lat }])).toEqual([
      ['가 라이더', 'offline', CITY_HALL],
      ['나 라이더', 'offline', NEAR_CITY_HALL.m300],
      ['다 라이더', 'offline', NEAR_CITY_HALL.m1500],
    ]);
    expect(board[0].position.ageSeconds).toBeGreaterThanOrEqual(10);

    // Reconnecting within a minute of its last position, a rider is matched there without reporting again.
    const back = await h.connect(a.token);
    const event = orderEvent(agencyId);
    await h.publish(event);
    const offer = await back.waitForOffer();
    expect(offer.deliveryId).toBe((await h.deliveryOf(event.orderId)).id);
  });
});

describe('silent riders (component, real PostgreSQL)', () => {
  let h: DispatchHarness;

  beforeAll(async () => {
    h = await startDispatch({ env: { RIDER_HEARTBEAT_TIMEOUT_MS: '500' } });
  });

  afterAll(async () => {
    await h?.close();
  });

  /** Heartbeats every 100 ms until stopped, so the rider is never silent meanwhile. */
  function keepAlive(client: RiderClient): () => void {
    const timer = setInterval(() => void client.send('heartbeat').catch(() => undefined), 100);
    return () => clearInterval(timer);
  }

  it('drops a silent rider from matching without closing its socket or its jobs, and takes it back at its next heartbeat', async () => {
    const { agencyId, apiKey } = await h.agency();
    const { token, riderId } = await h.rider(agencyId, '조용한 라이더');
    const rider = await h.online(token, NEAR_CITY_HALL.m300);
    const stop = keepAlive(rider);
    const carried = orderEvent(agencyId);
    await h.publish(carried);
    const offer = await rider.waitForOffer();
    expect((await rider.send('offer:accept', { offerId: offer.offerId })).ok).toBe(true);
    stop();

    const silent = await eventually(async () => {
      const [shown] = await h.agencyRiders(agencyId, apiKey);
      return shown.state === 'silent' ? shown : undefined;
    }, 'the rider to show silent');
    expect(silent).toMatchObject({ online: true, load: { active: 1 } });
    expect(rider.socket.connected).toBe(true);

    const waiting = orderEvent(agencyId);
    await h.publish(waiting);
    expect((await pricedAndSwept(h, waiting.orderId)).status).toBe('pending');
    expect(rider.offers().map((o) => o.deliveryId)).toEqual([offer.deliveryId]);
    expect(await h.deliveryOf(carried.orderId)).toMatchObject({ status: 'assigned', rider_id: riderId });
    const waitingId = (await h.deliveryOf(waiting.orderId)).id;
    const decisionOf = async () =>
      (await h.query<{ d: { reason: string | null; riderIds: string[] } | null }>('SELECT dispatch_decision AS d FROM dispatch.deliveries WHERE id = $1', [waitingId]))[0]!.d;
    // Silent, it is nobody's rider: the planner holds the delivery with no rider.
    await eventually(async () => ((await decisionOf())?.reason === 'NO_RIDER' ? true : undefined), 'the delivery held with no rider');

    await expect(rider.send('heartbeat')).resolves.toEqual({ ok: true, serverTime: expect.any(String) });
    const stopAgain = keepAlive(rider);
    // Back in matching: the planner plans the delivery for it, to be offered shortly before its job is done.
    await eventually(async () => ((await decisionOf())?.riderIds.includes(riderId) ? true : undefined), 'the delivery planned for the rider again');
    stopAgain();

    // A dropped socket unassigns nothing either.
    rider.disconnect();
    await eventually(async () => ((await h.agencyRiders(agencyId, apiKey))[0].state === 'offline' ? true : undefined), 'the rider to show offline');
    expect(await h.deliveryOf(carried.orderId)).toMatchObject({ status: 'assigned', rider_id: riderId });
  });
});
