import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { loadConfig } from '#config';
import { createServiceDataSource, migrate, pipelinedTransaction } from '#database';
import { createTestDatabase } from '../../../../test/support/database.js';
import { eventually } from '../../../../test/support/eventually.js';
import { provisionAgency } from '../agencies/agencies.provisioning.js';
import { DISPATCH_DATABASE } from '../dispatch.database.js';
import { AgencyLeasesRepository } from './agency-leases.repository.js';
import { AgencyLeases, leaseLost } from './agency-leases.service.js';

/**
 * Leases on a real PostgreSQL with no dispatch service running: each "instance" is an AgencyLeases on its own
 * connection pool, as two processes would be. Leases last 1 s and are renewed every 200 ms.
 */
describe('agency leases (component, real PostgreSQL)', () => {
  let db: { url: string; drop(): Promise<void> };
  let dataSource: DataSource;
  const config = loadConfig({ LOG_LEVEL: 'warn', DISPATCH_LEASE_SECONDS: '1', DISPATCH_LEASE_RENEW_MS: '200' });
  const running: Array<{ leases: AgencyLeases; pool: DataSource }> = [];

  /** An instance with its own pool, its first beat done. */
  const instance = async () => {
    const pool = createServiceDataSource({ url: db.url, ...DISPATCH_DATABASE, poolSize: 3 });
    await pool.initialize();
    const leases = new AgencyLeases(config, new AgencyLeasesRepository(pool));
    await leases.start();
    running.push({ leases, pool });
    return { leases, pool };
  };
  const rows = () =>
    dataSource.query<Array<{ agency_id: string; holder: string; epoch: string; live: boolean }>>(
      'SELECT agency_id, holder, epoch, expires_at > clock_timestamp() AS live FROM dispatch.agency_leases ORDER BY agency_id',
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = createServiceDataSource({ url: db.url, ...DISPATCH_DATABASE });
    await dataSource.initialize();
    await migrate(dataSource);
  });

  afterEach(async () => {
    for (const { leases, pool } of running.splice(0)) {
      // Gives the leases up (or fails to, for an instance cut off) and stops beating.
      await leases.stop();
      if (pool.isInitialized) await pool.destroy();
    }
    await dataSource.query('DELETE FROM dispatch.agency_leases');
    await dataSource.query('DELETE FROM dispatch.instances');
    await dataSource.query('DELETE FROM dispatch.agencies');
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('gives a lone instance every agency at its first beat, and renews them at the same epoch', async () => {
    const agencies = await Promise.all([1, 2, 3].map((i) => provisionAgency(dataSource, { name: `대행 ${i}` })));
    const { leases } = await instance();

    expect(leases.status()).toMatchObject({ current: true, owned: 3, instances: 1 });
    expect(new Set(leases.status().leases.map((l) => l.epoch))).toEqual(new Set([1]));
    const [first] = await dataSource.query<Array<{ expires_at: Date }>>('SELECT min(expires_at) AS expires_at FROM dispatch.agency_leases');
    await eventually(async () => {
      const [later] = await dataSource.query<Array<{ expires_at: Date }>>('SELECT min(expires_at) AS expires_at FROM dispatch.agency_leases');
      return later!.expires_at > first!.expires_at || undefined;
    }, 'the leases renewed');
    expect((await rows()).map((row) => [row.agency_id, row.holder, Number(row.epoch), row.live])).toEqual(
      agencies.map((a) => a.agencyId).sort().map((id) => [id, leases.instance, 1, true]),
    );
  });

  it('takes an agency created since the last beat at once when asked to own it', async () => {
    const { leases } = await instance();
    const { agencyId } = await provisionAgency(dataSource, { name: '새 대행' });

    await expect(leases.own([agencyId])).resolves.toEqual(new Map([[agencyId, 1]]));
    expect(leases.owns(agencyId)).toBe(true);
  });

  it('shares the agencies with a second instance: the first gives up what is beyond its share, nothing is held twice', async () => {
    await Promise.all([1, 2, 3, 4].map((i) => provisionAgency(dataSource, { name: `대행 ${i}` })));
    const a = await instance();
    expect(a.leases.status().owned).toBe(4);
    const b = await instance();

    await eventually(() => a.leases.status().owned === 2 && b.leases.status().owned === 2, 'two agencies each');
    const held = await rows();
    expect(held.filter((row) => row.live)).toHaveLength(4);
    const mine = new Set(a.leases.status().leases.map((l) => l.agencyId));
    const theirs = new Set(b.leases.status().leases.map((l) => l.agencyId));
    expect([...mine].filter((id) => theirs.has(id))).toEqual([]);
    // What b took from a, a had given up: a new epoch.
    expect(b.leases.status().leases.every((l) => l.epoch === 2)).toBe(true);
  });

  it('moves the leases of an instance that stops renewing (cut off from the database) to another within the lease time, at a new epoch', async () => {
    const agencies = await Promise.all([1, 2].map((i) => provisionAgency(dataSource, { name: `대행 ${i}` })));
    const a = await instance();
    expect(a.leases.status().owned).toBe(2);
    const b = await instance();
    await eventually(() => a.leases.status().owned === 1 && b.leases.status().owned === 1, 'one agency each');
    const fromA = a.leases.status().leases[0]!;

    // a's connections are gone and it cannot renew, as after a crash or a network partition; it does not give up.
    await a.pool.destroy();
    await eventually(() => b.leases.status().owned === 2, 'b holding both agencies', 10_000);

    // a stopped acting as owner before b took over.
    expect(a.leases.status()).toMatchObject({ current: false, owned: 0 });
    expect(a.leases.owns(fromA.agencyId)).toBe(false);
    expect(b.leases.status().leases).toContainEqual({ agencyId: fromA.agencyId, epoch: fromA.epoch + 1 });
    expect((await rows()).map((row) => row.holder)).toEqual(agencies.map(() => b.leases.instance));
  });

  it('aborts a write fenced by a lease that was taken over, and holds off a takeover until a fenced write commits', async () => {
    const { agencyId } = await provisionAgency(dataSource, { name: '펜스 대행' });
    const a = await instance();
    const epoch = a.leases.status().leases[0]!.epoch;
    const fence = a.leases.fence(new Map([[agencyId, epoch]]));
    const rename = (name: string) => ({ text: 'UPDATE dispatch.agencies SET name = $2 WHERE id = $1', values: [agencyId, name] });

    // While a holds the lease, its fenced write commits.
    await pipelinedTransaction(dataSource, [fence, rename('펜스 대행 a')]);

    // A fenced transaction open: a takeover (the lease expired meanwhile) waits for its commit.
    const open = dataSource.createQueryRunner();
    await open.connect();
    await open.startTransaction();
    await open.query(fence.text, fence.values);
    await a.leases.stop();
    await dataSource.query(`UPDATE dispatch.agency_leases SET expires_at = now() - interval '1 second'`);
    const repository = new AgencyLeasesRepository(dataSource);
    await dataSource.query(`INSERT INTO dispatch.instances (id, expires_at) VALUES ('b', now() + interval '1 minute')`);
    let takenOver = false;
    const takeover = repository.claim('b', 60, [agencyId]).then((taken) => ((takenOver = true), taken));
    await eventually(async () => {
      const waiting = await dataSource.query<unknown[]>(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FROM dispatch.agency_leases%FOR UPDATE'`,
      );
      return waiting.length > 0 || undefined;
    }, 'the takeover waiting for the fenced transaction');
    expect(takenOver).toBe(false);
    await open.query('UPDATE dispatch.agencies SET name = $2 WHERE id = $1', [agencyId, '펜스 대행 a 늦게']);
    await open.commitTransaction();
    await open.release();
    await expect(takeover).resolves.toEqual([{ agencyId, epoch: epoch + 1, previous: a.leases.instance }]);

    // The old owner's next write, fenced by its old epoch, aborts and writes nothing.
    const refused = await pipelinedTransaction(dataSource, [fence, rename('펜스 대행 a 다시')]).catch((error: unknown) => error);
    expect(leaseLost(refused)).toBe(true);
    const [agency] = await dataSource.query<Array<{ name: string }>>('SELECT name FROM dispatch.agencies WHERE id = $1', [agencyId]);
    expect(agency!.name).toBe('펜스 대행 a 늦게');
  });
});
