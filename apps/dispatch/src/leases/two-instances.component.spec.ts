import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { startService } from '#platform';
import { testConfig } from '../../../../test/support/config.js';
import { TcpProxy } from '../../../../test/support/tcp-proxy.js';
import { eventually, NEAR_CITY_HALL, orderEvent, startDispatch, type DispatchHarness, type RiderClient } from '../../test/dispatch-harness.js';
import { DispatchModule } from '../dispatch.module.js';
import { AgencyLeases } from './agency-leases.service.js';

// The riders here send their position once: they stay in matching however long a slow machine takes.
const LEASE = { DISPATCH_LEASE_SECONDS: '2', DISPATCH_LEASE_RENEW_MS: '200', OFFER_TIMEOUT_SECONDS: '600', RIDER_HEARTBEAT_TIMEOUT_MS: '3600000' };
/** a's statements: a connection silent past this and DEAD_CONNECTION_GRACE_MS is closed as dead. */
const A_STATEMENT_TIMEOUT_MS = 1000;

/**
 * Two dispatch instances on one database, as two processes would be: the harness's (b, which takes the orders) and
 * a second one (a) whose connections to PostgreSQL pass through a proxy, so it can be cut off as in a crash or a
 * partition without giving its leases up. Riders are connected to both, so either can offer them work; an offer
 * reaches a rider on the socket of the instance that made it, which tells who planned each agency.
 */
describe('two dispatch instances sharing the agencies (component, real PostgreSQL)', () => {
  let h: DispatchHarness;
  let proxy: TcpProxy;
  let a: INestApplication;
  let aUrl: string;
  const agencies: string[] = [];
  const sockets = new Map<string, { a: RiderClient[]; b: RiderClient[] }>();
  const orders: Array<{ agencyId: string; orderId: string }> = [];

  const leasesOf = (app: INestApplication) => app.get(AgencyLeases).status();
  const offersOf = () =>
    h.query<{ delivery_id: string; offers: number }>(
      `SELECT d.id AS delivery_id, count(o.id)::int AS offers FROM dispatch.deliveries d LEFT JOIN dispatch.offers o ON o.delivery_id = d.id
        WHERE d.order_id = ANY($1::uuid[]) GROUP BY d.id`,
      [orders.map((o) => o.orderId)],
    );
  const allOffered = () =>
    eventually(
      async () => {
        const rows = await offersOf();
        return rows.length === orders.length && rows.every((row) => row.offers > 0) ? rows : undefined;
      },
      `${orders.length} deliveries offered`,
      30_000,
    ).catch(async (error: unknown) => {
      throw new Error(`${(error as Error).message}; ${await whereTheyStand()}`);
    });
  /** What a timed-out wait prints: the orders not offered as stored, both instances' leases, and what PostgreSQL is busy with. */
  const whereTheyStand = async () => {
    const waiting = await h.query(
      `SELECT w.order_id, d.id AS delivery_id, d.agency_id, d.status, d.quote_attempts, d.next_quote_at, d.pricing_problem, d.dispatch_decision
         FROM unnest($1::uuid[]) AS w(order_id) LEFT JOIN dispatch.deliveries d ON d.order_id = w.order_id
        WHERE NOT EXISTS (SELECT 1 FROM dispatch.offers o WHERE o.delivery_id = d.id)`,
      [orders.map((o) => o.orderId)],
    );
    const busy = await h.query(
      `SELECT pid, state, wait_event_type, wait_event, now() - xact_start AS in_transaction, left(query, 200) AS query FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND (state <> 'idle' OR wait_event_type = 'Lock')`,
    );
    const leases = { a: leasesOf(a), b: leasesOf(h.dispatch) };
    return `not offered (no delivery_id: no delivery made of the order): ${JSON.stringify(waiting)}; leases: ${JSON.stringify(leases)}; database sessions not idle: ${JSON.stringify(busy)}`;
  };
  const order = async (agencyId: string) => {
    const event = orderEvent(agencyId, { pickup: { ...NEAR_CITY_HALL.m300, address: '서울특별시 중구 세종대로 110' } });
    orders.push({ agencyId, orderId: event.orderId });
    await h.publish(event);
  };
  /** Deliveries whose offers reached riders through instance `side`'s sockets, by agency. */
  const offeredThrough = (side: 'a' | 'b') =>
    new Map(agencies.map((agencyId) => [agencyId, new Set(sockets.get(agencyId)![side].flatMap((client) => client.offers().map((o) => o.deliveryId)))]));

  /** A rider of the agency, idle near the pickups, connected to both instances. */
  const riderOf = async (agencyId: string, name: string) => {
    const { token } = await h.rider(agencyId, name, 3);
    const onA = await h.connect(token, { url: aUrl });
    await onA.at(NEAR_CITY_HALL.m300);
    sockets.get(agencyId)!.a.push(onA);
    sockets.get(agencyId)!.b.push(await h.online(token, NEAR_CITY_HALL.m300));
  };

  beforeAll(async () => {
    h = await startDispatch({ env: LEASE });
    const proxied = await TcpProxy.inFrontOf(h.databaseUrl);
    proxy = proxied.proxy;
    const config = await testConfig({
      DISPATCH_SWEEP_INTERVAL_MS: '50',
      ...LEASE,
      DATABASE_STATEMENT_TIMEOUT_MS: String(A_STATEMENT_TIMEOUT_MS),
      FEE_PORT: String(h.config.httpPorts.fee),
      FEE_RPC_PORT: String(h.config.rpcPorts.fee),
    });
    a = await startService({ service: 'dispatch', module: DispatchModule.forRoot(config, proxied.url), config });
    aUrl = `http://127.0.0.1:${config.httpPorts.dispatch}`;
    for (let i = 0; i < 4; i++) {
      const { agencyId } = await h.agency(`대행 ${i + 1}`);
      agencies.push(agencyId);
      sockets.set(agencyId, { a: [], b: [] });
      for (const name of ['하나', '둘']) await riderOf(agencyId, `${name} ${i + 1}`);
    }
  }, 120_000);

  afterAll(async () => {
    await proxy?.close();
    await a?.close();
    await h?.close();
  });

  it('plans each agency on exactly one instance, its share, and offers no delivery twice', async () => {
    await eventually(() => leasesOf(a).owned === 2 && leasesOf(h.dispatch).owned === 2, 'two agencies each', 20_000);
    const onA = new Set(leasesOf(a).leases.map((l) => l.agencyId));
    const health = await request(aUrl).get('/health');
    expect(health.body.checks).toContainEqual(
      expect.objectContaining({ name: 'agency-leases', status: 'up', owned: 2, instances: 2, leases: expect.arrayContaining([{ agencyId: [...onA][0], epoch: expect.any(Number) }]) }),
    );
    for (const agencyId of agencies) for (let i = 0; i < 2; i++) await order(agencyId);

    const offered = await allOffered();
    expect(offered.every((row) => row.offers === 1)).toBe(true);
    // Ownership did not move meanwhile, and each agency's offers went out through its owner's sockets only.
    expect(new Set(leasesOf(a).leases.map((l) => l.agencyId))).toEqual(onA);
    // The offers are committed before they are sent: wait for each to reach its rider's socket.
    const ownerOf = (agencyId: string) => (onA.has(agencyId) ? 'a' : 'b');
    await eventually(() => agencies.every((agencyId) => offeredThrough(ownerOf(agencyId)).get(agencyId)!.size === 2) || undefined, 'every offer at its rider', 20_000);
    const throughA = offeredThrough('a');
    const throughB = offeredThrough('b');
    for (const agencyId of agencies) {
      const [owner, other] = onA.has(agencyId) ? [throughA, throughB] : [throughB, throughA];
      expect(owner.get(agencyId)!.size).toBe(2);
      expect(other.get(agencyId)!.size).toBe(0);
    }
  });

  it('moves the agencies of an instance cut off from the database to the other within the lease time, and their new orders are offered once', async () => {
    const fromA = leasesOf(a).leases;
    expect(fromA).toHaveLength(2);

    // A partition: a's open connections go silent, and new ones are never answered either.
    proxy.blackhole('all');
    await eventually(() => leasesOf(h.dispatch).owned === 4, 'b owning every agency', 20_000);
    // a stopped acting as owner before b took its agencies over, each at a new epoch.
    expect(leasesOf(a)).toMatchObject({ current: false, owned: 0 });
    for (const lease of fromA) expect(leasesOf(h.dispatch).leases).toContainEqual({ agencyId: lease.agencyId, epoch: lease.epoch + 1 });

    for (const agencyId of agencies) await order(agencyId);
    const offered = await allOffered();
    expect(offered.every((row) => row.offers === 1)).toBe(true);
    const throughB = offeredThrough('b');
    for (const { agencyId } of fromA) expect(throughB.get(agencyId)!.size).toBe(1);
  });

  it('takes its share back once the partition heals, and when only its open connections die silently, closes them as dead and goes on planning', async () => {
    proxy.restore();
    await eventually(() => leasesOf(a).owned === 2 && leasesOf(h.dispatch).owned === 2, 'two agencies each again', 20_000);
    // The riders so far hold offers they never answer: each wave of orders has an idle rider per agency waiting.
    for (const [i, agencyId] of agencies.entries()) await riderOf(agencyId, `셋 ${i + 1}`);
    for (const agencyId of agencies) await order(agencyId);
    expect((await allOffered()).every((row) => row.offers === 1)).toBe(true);

    // Its open connections die without a word while new ones pass (a middlebox dropping its flows): whatever waits on
    // them (its planning rounds, its pricing) fails once they are past the statement timeout and its grace, rather
    // than for as long as TCP takes to give up, and the agencies it plans are offered again.
    for (const [i, agencyId] of agencies.entries()) await riderOf(agencyId, `넷 ${i + 1}`);
    proxy.blackhole('open');
    for (const agencyId of agencies) await order(agencyId);
    expect((await allOffered()).every((row) => row.offers === 1)).toBe(true);
  });
});
