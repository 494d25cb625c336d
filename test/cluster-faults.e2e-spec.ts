import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Restaurant } from './support/actors.js';
import { queryRows } from './support/database.js';
import { testPorts } from './support/ports.js';
import { OwnRedis } from './support/redis.js';
import { RiderApp } from './support/rider-app.js';
import { eventually, startStack, type Stack } from './support/stack.js';

const rabbitmqUrl = process.env.RABBITMQ_URL;
const redisUrl = process.env.REDIS_URL;
const runnable = Boolean(rabbitmqUrl && redisUrl && existsSync(OwnRedis.binary));
if (!runnable) {
  console.warn(`\n*** RABBITMQ_URL, REDIS_URL or ${OwnRedis.binary} missing: two instances of every service losing one (kill -9, Redis restart) are SKIPPED ***\n`);
}

const RIDERS_PER_AGENCY = 3;
const ORDER_EVERY_MS = 400;
const HOLD_MS = 1500;

/**
 * Two instances of each service over RabbitMQ, sharing riders through a Redis of the test's own, under steady orders
 * from two restaurants sent through both intake instances: one instance of each is killed -9 and Redis is killed
 * and started again empty. After each fault every order accepted is delivered, assigned once, and called back once.
 */
(runnable ? describe : describe.skip)('two instances of every service losing one under steady orders (system, RabbitMQ, Redis)', () => {
  let redis: OwnRedis;
  let stack: Stack;
  let callbacks: Server;
  /** Per webhook-id: the order and status it called back, and how many times it came (a retry of one callback repeats its id). */
  const calledBack = new Map<string, { orderId: string; status: string; times: number }>();
  const restaurants: Restaurant[] = [];
  const tokens: string[] = [];
  let apps: RiderApp[] = [];
  /** The dispatch URLs rider apps move along, the balancer's list; a replaced instance's URL is swapped in place. */
  const dispatchUrls: string[] = [];
  const intakeUrls: string[] = [];

  beforeAll(async () => {
    redis = await OwnRedis.start((await testPorts(1))[0]!);
    callbacks = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const { orderId, status } = JSON.parse(body) as { orderId: string; status: string };
        const id = String(request.headers['webhook-id']);
        const seen = calledBack.get(id);
        calledBack.set(id, { orderId, status, times: (seen?.times ?? 0) + 1 });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => callbacks.listen(0, '127.0.0.1', resolve));
    const callbackUrl = `http://127.0.0.1:${(callbacks.address() as AddressInfo).port}/callbacks`;

    stack = await startStack({
      transport: 'rmq',
      env: {
        DISPATCH_CLUSTER: 'redis',
        REDIS_URL: redis.url,
        DISPATCH_CLUSTER_INSTANCE_TIMEOUT_MS: '2000',
        DISPATCH_SWEEP_INTERVAL_MS: '100',
        CALLBACK_ALLOW_PRIVATE_NETWORKS: 'true',
        CALLBACK_POLL_INTERVAL_MS: '100',
        CALLBACK_BACKOFF_BASE_MS: '200',
        CALLBACK_BACKOFF_CAP_MS: '1000',
      },
    });
    dispatchUrls.push(stack.url('dispatch'), await stack.startDispatch('dispatch-b'));
    intakeUrls.push(stack.url('intake'), await stack.startInstance('intake', 'intake-b'));
    await stack.startInstance('fee', 'fee-b');
    for (const name of ['가', '나']) {
      const riderNames = Array.from({ length: RIDERS_PER_AGENCY }, (_, i) => `장애 라이더 ${name}${i + 1}`);
      const tenants = await stack.tenants(`장애 대행 ${name}`, riderNames, { callbackUrl });
      restaurants.push(tenants.restaurant);
      tokens.push(...tenants.riders.map((r) => r.token));
    }
    // One delivery at a time each, so steady orders keep every rider busy in turn rather than one rider with a bundle.
    await queryRows(stack.databaseUrl, 'UPDATE dispatch.riders SET capacity = 1');
    apps = await Promise.all(tokens.map((token, i) => RiderApp.start(dispatchUrls, token, { first: i % 2, holdMs: HOLD_MS })));
  }, 180_000);

  afterAll(async () => {
    apps.forEach((app) => app.stop());
    await stack?.stop();
    await redis?.kill();
    await new Promise((resolve) => callbacks?.close(resolve));
  });

  /**
   * Steady orders, alternating restaurants and intake instances; an order whose intake does not answer (refused,
   * reset, 5xx) is sent again, the same signed request, through the other, as a balancer would.
   */
  const steadyOrders = () => {
    const accepted: string[] = [];
    let resent = 0;
    let running = true;
    let sent = 0;
    const inFlight = new Set<Promise<void>>();
    const send = async (n: number) => {
      const restaurant = restaurants[n % restaurants.length]!;
      const signed = restaurant.signOrder();
      for (let attempt = 0; attempt < 50; attempt++) {
        const url = intakeUrls[(n + attempt) % intakeUrls.length]!;
        const answer = await restaurant
          .via(url)
          .post(signed)
          .catch(() => undefined);
        if (answer?.status === 202) {
          accepted.push(answer.body.orderId);
          return;
        }
        if (answer && answer.status < 500) throw new Error(`order refused with ${answer.status}: ${JSON.stringify(answer.body)}`);
        resent++;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error('an order found no intake instance to take it');
    };
    const failures: Error[] = [];
    const loop = (async () => {
      while (running) {
        const request = send(sent++).catch((error: Error) => void failures.push(error));
        inFlight.add(request);
        void request.finally(() => inFlight.delete(request));
        await new Promise((resolve) => setTimeout(resolve, ORDER_EVERY_MS));
      }
    })();
    return {
      accepted,
      get resent() {
        return resent;
      },
      /** Stops sending and waits for the orders in flight; fails if any found no intake to take it. */
      stop: async () => {
        running = false;
        await loop;
        await Promise.all(inFlight);
        expect(failures).toEqual([]);
        return accepted;
      },
    };
  };

  /** Waits until `countSql` (a `count(*)::int AS n` of what is left to do) counts nothing. */
  const noneLeft = (what: string, countSql: string, params: unknown[] = [], timeoutMs = 30_000) =>
    eventually(async () => (await queryRows<{ n: number }>(stack.databaseUrl, countSql, params))[0]!.n === 0 || undefined, what, timeoutMs);

  /** Every order delivered, by exactly one delivery assigned once, and each of its statuses called back once. */
  const everyOrderDeliveredOnce = async (orderIds: string[]) => {
    await noneLeft(`all ${orderIds.length} orders delivered`, `SELECT count(*)::int AS n FROM intake.orders WHERE id = ANY($1::uuid[]) AND status <> 'delivered'`, [orderIds], 60_000);
    const deliveries = await queryRows<{ order_id: string; deliveries: number; status: string; assigned: number; delivered: number; accepted: number }>(
      stack.databaseUrl,
      `SELECT d.order_id, count(*) OVER (PARTITION BY d.order_id)::int AS deliveries, d.status,
              (SELECT count(*) FROM dispatch.delivery_transitions t WHERE t.delivery_id = d.id AND t.to_status = 'assigned')::int AS assigned,
              (SELECT count(*) FROM dispatch.delivery_transitions t WHERE t.delivery_id = d.id AND t.to_status = 'delivered')::int AS delivered,
              (SELECT count(*) FROM dispatch.offers o WHERE o.delivery_id = d.id AND o.status = 'accepted')::int AS accepted
         FROM dispatch.deliveries d WHERE d.order_id = ANY($1::uuid[])`,
      [orderIds],
    );
    expect(deliveries).toHaveLength(orderIds.length);
    for (const delivery of deliveries) expect(delivery).toEqual({ order_id: delivery.order_id, deliveries: 1, status: 'delivered', assigned: 1, delivered: 1, accepted: 1 });
    // Every offer made reached its rider's app: none waited out its time unseen.
    const offers = await queryRows<{ id: string; status: string }>(
      stack.databaseUrl,
      'SELECT o.id, o.status FROM dispatch.offers o JOIN dispatch.deliveries d ON d.id = o.delivery_id WHERE d.order_id = ANY($1::uuid[])',
      [orderIds],
    );
    expect(offers.filter((offer) => !apps.some((app) => app.offerIds.has(offer.id)))).toEqual([]);

    // Callbacks: one stored per status reached, each sent (a retry repeats its webhook-id, never a new one).
    await noneLeft('every status callback sent', `SELECT count(*)::int AS n FROM intake.status_callbacks WHERE order_id = ANY($1::uuid[]) AND state <> 'delivered'`, [orderIds]);
    const stored = await queryRows<{ order_id: string; status: string; webhook_id: string }>(
      stack.databaseUrl,
      'SELECT order_id, status, webhook_id FROM intake.status_callbacks WHERE order_id = ANY($1::uuid[])',
      [orderIds],
    );
    const perStatus = new Map<string, number>();
    for (const row of stored) perStatus.set(`${row.order_id} ${row.status}`, (perStatus.get(`${row.order_id} ${row.status}`) ?? 0) + 1);
    expect([...perStatus.values()].filter((n) => n > 1)).toEqual([]);
    for (const orderId of orderIds) expect(perStatus.get(`${orderId} delivered`)).toBe(1);
    const received = stored.map((row) => calledBack.get(row.webhook_id));
    expect(received.filter((r) => r === undefined)).toEqual([]);
    const repeated = received.filter((r) => r!.times > 1).length;
    if (repeated > 0) console.log(`${repeated} callbacks were sent again under the same webhook-id (a send cut short by a kill)`);

    // Every event each service committed has left its outbox.
    // Fee settled each delivery (one charge a delivery).
    await noneLeft('every delivery settled by fee', `SELECT $2::int - count(*)::int AS n FROM fee.charges WHERE order_id = ANY($1::uuid[]) AND stage = 'delivered'`, [orderIds, orderIds.length]);
    for (const schema of ['intake', 'dispatch', 'fee']) await noneLeft(`${schema}'s outbox relayed`, `SELECT count(*)::int AS n FROM ${schema}.outbox WHERE published_at IS NULL`);
  };

  const leases = () => queryRows<{ agency_id: string; holder: string; epoch: number }>(stack.databaseUrl, 'SELECT agency_id, holder, epoch::int AS epoch FROM dispatch.agency_leases ORDER BY agency_id');
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('loses nothing when a dispatch instance is killed -9: its riders carry on through the other, which takes its agency over', async () => {
    await eventually(async () => new Set((await leases()).map((l) => l.holder)).size === 2 || undefined, 'one agency leased to each dispatch instance', 20_000);
    const orders = steadyOrders();
    await eventually(() => apps.every((app) => app.offeredAt.length > 0) || undefined, 'every rider offered work', 30_000);
    const before = await leases();

    const onB = apps.filter((app) => app.connectedTo === dispatchUrls[1]);
    expect(onB.length).toBeGreaterThan(0);
    await stack.kill('dispatch-b', 'SIGKILL');
    const killedAt = Date.now();
    const offeredAgain = (app: RiderApp) => app.offeredAt.find((at) => at > killedAt);
    await eventually(() => onB.every((app) => app.connectedTo === dispatchUrls[0]) || undefined, "B's riders reconnected to A", 20_000);
    const reconnectedAfter = Date.now() - killedAt;
    await eventually(() => apps.every(offeredAgain) || undefined, 'every rider offered work again', 30_000);
    const lastOffer = Math.max(...apps.map((app) => offeredAgain(app)! - killedAt));
    const lastOfferOnB = Math.max(...onB.map((app) => offeredAgain(app)! - killedAt));
    console.log(
      `dispatch-b killed -9: its ${onB.length} riders reconnected to A within ${reconnectedAfter} ms; every rider of B offered work again ${lastOfferOnB} ms after the kill, every rider ${lastOffer} ms`,
    );

    // The agency B held moved to A, at a new epoch.
    const after = await eventually(async () => {
      const now = await leases();
      return new Set(now.map((l) => l.holder)).size === 1 ? now : undefined;
    }, 'one instance holding both agencies', 20_000);
    const moved = before.filter((l) => l.holder !== after[0]!.holder);
    expect(moved).toHaveLength(1);
    expect(after.find((l) => l.agency_id === moved[0]!.agency_id)!.epoch).toBe(moved[0]!.epoch + 1);

    await pause(2000);
    await everyOrderDeliveredOnce(await orders.stop());
  }, 150_000);

  it('loses nothing when an intake and a fee instance are killed -9: orders are sent again through the live intake and priced by the live fee', async () => {
    // A dispatch instance again in B's place, and riders spread over both again.
    dispatchUrls[1] = await stack.startDispatch('dispatch-b2');
    await Promise.all(
      apps.map(async (app, i) => {
        if (i % 2 === 0) return;
        app.stop();
        apps[i] = await RiderApp.start(dispatchUrls, tokens[i]!, { first: 1, holdMs: HOLD_MS });
      }),
    );
    const orders = steadyOrders();
    await pause(3000);
    const acceptedBefore = orders.accepted.length;
    await Promise.all([stack.kill('intake-b', 'SIGKILL'), stack.kill('fee-b', 'SIGKILL')]);
    await pause(5000);
    expect(orders.accepted.length).toBeGreaterThan(acceptedBefore);
    const orderIds = await orders.stop();
    expect(orders.resent).toBeGreaterThan(0);
    console.log(`intake-b and fee-b killed -9: ${orders.resent} sends failed over to intake A, ${orderIds.length} orders accepted in all`);
    await everyOrderDeliveredOnce(orderIds);
    // Priced after the kill, by the fee instance left.
    const unpriced = await queryRows<{ n: number }>(stack.databaseUrl, 'SELECT count(*)::int AS n FROM dispatch.deliveries WHERE order_id = ANY($1::uuid[]) AND fee IS NULL', [orderIds]);
    expect(unpriced).toEqual([{ n: 0 }]);
  }, 150_000);

  it('degrades while Redis is killed -9 and comes back empty, says so in /health, and recovers by itself losing nothing', async () => {
    const health = async (url: string) => {
      const body = (await (await fetch(`${url}/health`)).json()) as { status: string; checks: Array<{ name: string; status: string }> };
      return body.checks.find((c) => c.name === 'cluster-redis')?.status;
    };
    for (const url of dispatchUrls) expect(await health(url)).toBe('up');
    const orders = steadyOrders();
    await pause(2000);
    await redis.kill();
    const killedAt = Date.now();
    for (const url of dispatchUrls) await eventually(async () => (await health(url)) === 'down' || undefined, `${url} reporting Redis down`, 10_000);
    await pause(3000);
    await redis.start();
    const restartedAt = Date.now();
    for (const url of dispatchUrls) await eventually(async () => (await health(url)) === 'up' || undefined, `${url} reporting Redis up`, 20_000);
    const offeredAgain = (app: RiderApp) => app.offeredAt.find((at) => at > restartedAt);
    await eventually(() => apps.every(offeredAgain) || undefined, 'every rider offered work after Redis is back', 30_000);
    console.log(
      `Redis killed -9 for ${restartedAt - killedAt} ms: every rider offered work again ${Math.max(...apps.map((app) => offeredAgain(app)! - restartedAt))} ms after it restarted`,
    );
    await everyOrderDeliveredOnce(await orders.stop());
  }, 150_000);
});
