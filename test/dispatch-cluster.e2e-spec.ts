import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Rider, type Restaurant } from './support/actors.js';
import { queryRows } from './support/database.js';
import { deleteRedisKeys } from './support/redis.js';
import { eventually, startStack, type Stack } from './support/stack.js';

const redisUrl = process.env.REDIS_URL;
if (!redisUrl) console.warn('\n*** REDIS_URL is not set: two dispatch processes sharing riders through Redis are SKIPPED ***\n');

const NEAR_CITY_HALL = { lng: 126.9785, lat: 37.567 };

/**
 * Two dispatch processes (A takes the orders intake sends over TCP; B holds the riders' sockets) sharing riders
 * through Redis; B is killed -9 and its riders reconnect to A, as an app with a list of URLs or a balancer would.
 */
(redisUrl ? describe : describe.skip)('two dispatch processes sharing riders through Redis (system)', () => {
  const prefix = `test-${randomBytes(4).toString('hex')}:`;
  let stack: Stack;
  let restaurant: Restaurant;
  let tokens: string[];
  let b: string;
  const sockets: Rider[] = [];

  beforeAll(async () => {
    stack = await startStack({
      transport: 'tcp',
      env: { DISPATCH_CLUSTER: 'redis', REDIS_URL: redisUrl!, REDIS_KEY_PREFIX: prefix, DISPATCH_CLUSTER_INSTANCE_TIMEOUT_MS: '2000', DISPATCH_SWEEP_INTERVAL_MS: '100' },
    });
    b = await stack.startDispatch('dispatch-b');
    const tenants = await stack.tenants('클러스터 대행', ['클러스터 라이더 1', '클러스터 라이더 2']);
    restaurant = tenants.restaurant;
    tokens = tenants.riders.map((r) => r.token);
  }, 120_000);

  afterAll(async () => {
    sockets.forEach((r) => r.disconnect());
    await stack?.stop();
    if (redisUrl) await deleteRedisKeys(redisUrl, prefix);
  });

  const online = async (url: string, token: string) => {
    const rider = await Rider.connect(url, token);
    sockets.push(rider);
    await expect(rider.ask('location', NEAR_CITY_HALL)).resolves.toMatchObject({ ok: true });
    return rider;
  };

  it('offers riders on B what A takes in, and when B is killed -9 its riders carry on through A: every delivery assigned once and completed', async () => {
    const onB = await Promise.all(tokens.map((token) => online(b, token)));
    const first = await restaurant.send();
    expect(first.status).toBe(202);
    const offered = await eventually(async () => onB.find((r) => r.offers.length > 0), 'an offer to a rider on B', 30_000);
    const job = offered.offers[0]!;
    await expect(offered.ask('offer:accept', { offerId: job.offerId })).resolves.toMatchObject({ ok: true });

    await stack.kill('dispatch-b', 'SIGKILL');
    await eventually(async () => (onB.every((r) => !r.socket.connected) ? true : undefined), 'B\'s riders disconnected', 20_000);
    const killedAt = Date.now();
    const onA = await Promise.all(tokens.map((token) => online(stack.url('dispatch'), token)));
    const carrier = onA[onB.indexOf(offered)]!;
    const jobs = await eventually(async () => carrier.events<{ deliveries: Array<{ id: string }> }>('jobs')[0], 'jobs after reconnecting', 20_000);
    expect(jobs.deliveries.map((d) => d.id)).toEqual([job.deliveryId]);

    // New work reaches the riders now on A; the one with a job finishes it.
    const second = await restaurant.send();
    const secondDelivery = await eventually(async () => {
      const [row] = await queryRows<{ id: string }>(stack.databaseUrl, 'SELECT id FROM dispatch.deliveries WHERE order_id = $1', [second.body.orderId]);
      return row?.id;
    }, 'the second delivery', 30_000);
    const offerOf = (rider: Rider) => rider.offers.find((o) => o.deliveryId === secondDelivery);
    const next = await eventually(async () => onA.find((r) => offerOf(r)), 'an offer after B was killed', 30_000);
    console.log(`a rider of the killed instance was offered work again ${Date.now() - killedAt} ms after its socket dropped`);
    await expect(next.ask('offer:accept', { offerId: offerOf(next)!.offerId })).resolves.toMatchObject({ ok: true });
    for (const [rider, deliveryId] of [
      [carrier, job.deliveryId],
      [next, secondDelivery],
    ] as const) {
      await expect(rider.ask('delivery:pickedUp', { deliveryId })).resolves.toMatchObject({ ok: true });
      await expect(rider.ask('delivery:delivered', { deliveryId })).resolves.toMatchObject({ ok: true });
    }

    const rows = await queryRows<{ status: string; accepted: number }>(
      stack.databaseUrl,
      `SELECT d.status, count(o.*) FILTER (WHERE o.status = 'accepted')::int AS accepted
         FROM dispatch.deliveries d JOIN dispatch.offers o ON o.delivery_id = d.id
        WHERE d.order_id = ANY($1::uuid[]) GROUP BY d.id`,
      [[first.body.orderId, second.body.orderId]],
    );
    expect(rows).toEqual([
      { status: 'delivered', accepted: 1 },
      { status: 'delivered', accepted: 1 },
    ]);
  });
});
