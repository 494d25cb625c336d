import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Restaurant, Rider } from './support/actors.js';
import { queryRows } from './support/database.js';
import { eventually, startStack, type Stack } from './support/stack.js';

const transports: Array<'tcp' | 'rmq'> = ['tcp'];
if (process.env.RABBITMQ_URL) transports.push('rmq');
else console.warn('\n*** RABBITMQ_URL is not set: crash recovery over RabbitMQ is SKIPPED ***\n');

describe.each(transports)('an accepted order survives a killed process (%s)', (transport) => {
  let stack: Stack;
  let restaurant: Restaurant;
  let token: string;
  const riders: Rider[] = [];

  beforeAll(async () => {
    stack = await startStack({ transport, env: { DISPATCH_SWEEP_INTERVAL_MS: '100' } });
    const tenants = await stack.tenants('복구 테스트 대행', ['복구 라이더']);
    restaurant = tenants.restaurant;
    token = tenants.riders[0].token;
  }, 120_000);

  afterAll(async () => {
    riders.forEach((r) => r.disconnect());
    await stack?.stop();
  });

  const comeOnline = async () => {
    const rider = await Rider.connect(stack.url('dispatch'), token);
    riders.push(rider);
    await expect(rider.ask('location', { lng: 126.9785, lat: 37.567 })).resolves.toMatchObject({ ok: true });
    return rider;
  };

  const orderReaches = (orderId: string, status: string) =>
    eventually(async () => ((await restaurant.order(orderId)).status === status ? true : undefined), `order ${orderId} ${status}`, 20_000);

  it('takes orders while dispatch is killed, and dispatches each exactly once after it restarts', async () => {
    await stack.kill('dispatch', 'SIGKILL');
    const orderIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const sent = await restaurant.send();
      expect(sent.status).toBe(202);
      orderIds.push(sent.body.orderId);
    }

    await stack.start('dispatch');
    // All three priced before the rider is online: the planner offers them to it together (capacity 3).
    await eventually(
      async () => {
        const [row] = await queryRows<{ priced: number }>(
          stack.databaseUrl,
          'SELECT count(*)::int AS priced FROM dispatch.deliveries WHERE order_id = ANY($1::uuid[]) AND fee IS NOT NULL',
          [orderIds],
        );
        return row!.priced === 3 ? true : undefined;
      },
      'the three orders priced',
      20_000,
    );
    const rider = await comeOnline();
    // The rider (capacity 3) is offered each and accepts each.
    for (let i = 0; i < 3; i++) {
      const offer = await eventually(async () => rider.offers[i], `offer ${i + 1}`, 20_000);
      await expect(rider.ask('offer:accept', { offerId: offer.offerId })).resolves.toMatchObject({ ok: true });
    }
    expect(new Set(rider.offers.map((o) => o.deliveryId)).size).toBe(3);

    // Events redelivered around the crash must not create a second delivery or assignment.
    const counts = await queryRows(
      stack.databaseUrl,
      `SELECT count(*)::int AS deliveries, count(*) FILTER (WHERE status = 'assigned')::int AS assigned
         FROM dispatch.deliveries WHERE order_id = ANY($1::uuid[])`,
      [orderIds],
    );
    expect(counts).toEqual([{ deliveries: 3, assigned: 3 }]);
    for (const orderId of orderIds) await orderReaches(orderId, 'assigned');
  });

  it('keeps assignments through a dispatch crash; the rider finishes them after reconnecting and gets new work', async () => {
    const jobs = await queryRows<{ id: string; order_id: string }>(
      stack.databaseUrl,
      "SELECT id, order_id FROM dispatch.deliveries WHERE status = 'assigned' ORDER BY created_at",
    );
    expect(jobs).toHaveLength(3);
    const first = jobs[0]!;

    await stack.kill('dispatch', 'SIGKILL');
    riders.forEach((r) => r.disconnect());
    await stack.start('dispatch');
    const rider = await comeOnline();
    for (const job of jobs) {
      await expect(rider.ask('delivery:pickedUp', { deliveryId: job.id })).resolves.toMatchObject({ ok: true });
      await expect(rider.ask('delivery:delivered', { deliveryId: job.id })).resolves.toMatchObject({ ok: true });
    }

    // Free again: the next order reaches this rider (the planner offers a busy rider more only shortly before it is free).
    const next = await restaurant.send();
    const offer = await eventually(async () => rider.offers[0], 'an offer once capacity freed up', 20_000);
    const [delivery] = await queryRows<{ order_id: string }>(stack.databaseUrl, 'SELECT order_id FROM dispatch.deliveries WHERE id = $1', [
      offer.deliveryId,
    ]);
    expect(delivery.order_id).toBe(next.body.orderId);
    await orderReaches(first.order_id, 'delivered');
  });

  it('resumes an offer in flight across a crash: the rider sees it again, accepts once, and after another crash sees its job', async () => {
    const other = await stack.tenants('재시작 테스트 대행', ['재시작 라이더']);
    const connect = async () => {
      const rider = await Rider.connect(stack.url('dispatch'), other.riders[0].token);
      riders.push(rider);
      await expect(rider.ask('location', { lng: 126.9785, lat: 37.567 })).resolves.toMatchObject({ ok: true });
      return rider;
    };
    const before = await connect();
    const sent = await other.restaurant.send();
    const offer = await eventually(async () => before.offers[0], 'an offer before the crash', 20_000);

    await stack.kill('dispatch', 'SIGKILL');
    before.disconnect();
    await stack.start('dispatch');
    const after = await connect();
    // The same offer, still open, comes back on reconnect; nothing new was made while dispatch was down.
    const again = await eventually(async () => after.offers.find((o) => o.offerId === offer.offerId), 'the offer again after the restart', 20_000);
    await expect(after.ask('offer:accept', { offerId: again.offerId })).resolves.toMatchObject({ ok: true });
    await expect(after.ask('offer:accept', { offerId: again.offerId })).resolves.toMatchObject({ ok: false, code: 'OFFER_TAKEN' });
    const rows = await queryRows(
      stack.databaseUrl,
      `SELECT d.status, d.rider_id, count(o.*) FILTER (WHERE o.status = 'accepted')::int AS accepted
         FROM dispatch.deliveries d JOIN dispatch.offers o ON o.delivery_id = d.id
        WHERE d.order_id = $1 GROUP BY d.id`,
      [sent.body.orderId],
    );
    expect(rows).toEqual([{ status: 'assigned', rider_id: other.riders[0].riderId, accepted: 1 }]);

    // Another crash: on reconnect the rider is told the truth, its active job, without asking.
    await stack.kill('dispatch', 'SIGKILL');
    after.disconnect();
    await stack.start('dispatch');
    const later = await connect();
    const jobs = await eventually(async () => later.events<{ deliveries: Array<{ id: string; status: string }> }>('jobs')[0], 'jobs on reconnect', 20_000);
    expect(jobs.deliveries).toEqual([expect.objectContaining({ id: offer.deliveryId, status: 'assigned', riderPay: 3000 })]);
    expect(later.offers).toEqual([]);
    await eventually(async () => ((await other.restaurant.order(sent.body.orderId)).status === 'assigned' ? true : undefined), 'the order assigned', 20_000);
  });
});
