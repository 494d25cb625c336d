import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { startService } from '#platform';
import { testConfig } from '../../../../test/support/config.js';
import { TcpProxy } from '../../../../test/support/tcp-proxy.js';
import { eventually, NEAR_CITY_HALL, orderEvent, startDispatch, type DispatchHarness, type RiderClient } from '../../test/dispatch-harness.js';
import { DispatchModule } from '../dispatch.module.js';
import { AgencyLeases } from './agency-leases.service.js';

const LEASE = { DISPATCH_LEASE_SECONDS: '2', DISPATCH_LEASE_RENEW_MS: '200', OFFER_TIMEOUT_SECONDS: '600' };

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
    );
  const order = async (agencyId: string) => {
    const event = orderEvent(agencyId, { pickup: { ...NEAR_CITY_HALL.m300, address: '서울특별시 중구 세종대로 110' } });
    orders.push({ agencyId, orderId: event.orderId });
    await h.publish(event);
  };
  /** Deliveries whose offers reached riders through instance `side`'s sockets, by agency. */
  const offeredThrough = (side: 'a' | 'b') =>
    new Map(agencies.map((agencyId) => [agencyId, new Set(sockets.get(agencyId)![side].flatMap((client) => client.offers().map((o) => o.deliveryId)))]));

  beforeAll(async () => {
    h = await startDispatch({ env: LEASE });
    proxy = await TcpProxy.start(Number(new URL(h.databaseUrl).port));
    const proxied = new URL(h.databaseUrl);
    proxied.port = new URL(proxy.url).port;
    const config = await testConfig({ DISPATCH_SWEEP_INTERVAL_MS: '50', ...LEASE, FEE_PORT: String(h.config.httpPorts.fee), FEE_RPC_PORT: String(h.config.rpcPorts.fee) });
    a = await startService({ service: 'dispatch', module: DispatchModule.forRoot(config, proxied.toString()), config });
    aUrl = `http://127.0.0.1:${config.httpPorts.dispatch}`;
    for (let i = 0; i < 4; i++) {
      const { agencyId } = await h.agency(`대행 ${i + 1}`);
      agencies.push(agencyId);
      const clients = { a: [] as RiderClient[], b: [] as RiderClient[] };
      for (const name of ['하나', '둘']) {
        const { token } = await h.rider(agencyId, `${name} ${i + 1}`, 3);
        const onA = await h.connect(token, { url: aUrl });
        await onA.at(NEAR_CITY_HALL.m300);
        clients.a.push(onA);
        clients.b.push(await h.online(token, NEAR_CITY_HALL.m300));
      }
      sockets.set(agencyId, clients);
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

    proxy.blackhole();
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
});
