import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AgencyRegisteredEvent, PATTERNS, validateContract } from '#contracts';
import { createServiceDataSource, migrate } from '#database';
import { hashSecret } from '#platform';
import { createTestDatabase } from '../../../../test/support/database.js';
import { DISPATCH_DATABASE } from '../dispatch.database.js';
import { Dispatch1763942400000 } from '../migrations/1763942400000-dispatch.js';
import { provisionAgency } from './agencies.provisioning.js';

/**
 * Provisioning and the migration on a real PostgreSQL with no service running, so no relay publishes (and so
 * changes) the outbox rows these tests read.
 */
describe('agencies announced to the fee service (component, real PostgreSQL)', () => {
  let db: { url: string; drop(): Promise<void> };
  let dataSource: DataSource;

  const outbox = (agencyId: string) =>
    dataSource.query(`SELECT event_id, pattern, payload, published_at, xmin::text AS xid FROM dispatch.outbox WHERE payload->>'agencyId' = $1`, [agencyId]);

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = createServiceDataSource({ url: db.url, ...DISPATCH_DATABASE });
    await dataSource.initialize();
    await migrate(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('stores the agency and its agency.registered event in one transaction, with the key only as its hash', async () => {
    const { agencyId, apiKey } = await provisionAgency(dataSource, { name: '  한강 배달대행 ' });

    const [agency] = await dataSource.query(`SELECT name, api_key_hash, xmin::text AS xid FROM dispatch.agencies WHERE id = $1`, [agencyId]);
    expect(agency).toEqual({ name: '한강 배달대행', api_key_hash: hashSecret(apiKey), xid: expect.any(String) });
    const rows = await outbox(agencyId);
    // Same transaction id on both rows: they committed together.
    expect(rows).toEqual([
      { event_id: expect.any(String), pattern: PATTERNS.AGENCY_REGISTERED, payload: expect.any(Object), published_at: null, xid: agency.xid },
      { event_id: expect.any(String), pattern: PATTERNS.AGENCY_REGISTERED_FOR_INTAKE, payload: expect.any(Object), published_at: null, xid: agency.xid },
    ]);
    // Intake hears the same agency and key hash, under an event id of its own.
    expect(rows[1].payload).toEqual({ ...rows[0].payload, eventId: rows[1].event_id });
    expect(rows[0].payload).toEqual({
      eventId: rows[0].event_id,
      occurredAt: expect.any(String),
      agencyId,
      name: '한강 배달대행',
      apiKeyHash: hashSecret(apiKey),
    });
    expect(validateContract(AgencyRegisteredEvent, rows[0].payload).ok).toBe(true);
    expect(JSON.stringify(rows[0].payload)).not.toContain(apiKey);
  });

  it('stores neither the agency nor its event when the event cannot be written', async () => {
    const name = `막힌 대행 ${randomUUID()}`;
    await dataSource.query(`CREATE FUNCTION dispatch.refuse_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'outbox refused'; END $$`);
    await dataSource.query(`CREATE TRIGGER refuse_outbox BEFORE INSERT ON dispatch.outbox FOR EACH ROW EXECUTE FUNCTION dispatch.refuse_outbox()`);
    try {
      await expect(provisionAgency(dataSource, { name })).rejects.toThrow('outbox refused');
    } finally {
      await dataSource.query(`DROP TRIGGER refuse_outbox ON dispatch.outbox`);
      await dataSource.query(`DROP FUNCTION dispatch.refuse_outbox()`);
    }
    expect(await dataSource.query(`SELECT 1 FROM dispatch.agencies WHERE name = $1`, [name])).toEqual([]);
  });

  it('stores nothing for an invalid name', async () => {
    const counts = () => dataSource.query(`SELECT (SELECT count(*) FROM dispatch.agencies) AS agencies, (SELECT count(*) FROM dispatch.outbox) AS events`);
    const before = await counts();
    for (const name of ['', '   ', 'x'.repeat(201), 42 as unknown as string]) {
      await expect(provisionAgency(dataSource, { name })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [expect.objectContaining({ field: 'name' })],
      });
    }
    expect(await counts()).toEqual(before);
  });
});

describe('migration 1764028800000 announces the agencies made before it (component, real PostgreSQL)', () => {
  let db: { url: string; drop(): Promise<void> };
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('adds one agency.registered event per existing agency, in the shape provisioning writes, and none twice', async () => {
    // The database as it was before: agencies, and no announcement of them.
    const before = createServiceDataSource({ url: db.url, ...DISPATCH_DATABASE, migrations: [Dispatch1763942400000] });
    await before.initialize();
    await migrate(before);
    const agencies = [
      { id: randomUUID(), name: '먼저 온 대행', apiKeyHash: hashSecret(`ak_${randomUUID()}`) },
      { id: randomUUID(), name: "O'Brien 대행", apiKeyHash: hashSecret(`ak_${randomUUID()}`) },
    ];
    for (const a of agencies) await before.query(`INSERT INTO dispatch.agencies (id, name, api_key_hash) VALUES ($1, $2, $3)`, [a.id, a.name, a.apiKeyHash]);
    await before.destroy();

    dataSource = createServiceDataSource({ url: db.url, ...DISPATCH_DATABASE });
    await dataSource.initialize();
    // The migrations after it run too; this one comes first.
    expect((await migrate(dataSource))[0]).toBe('DispatchFeeAgencies1764028800000');
    expect(await migrate(dataSource)).toEqual([]);

    const rows: Array<{ event_id: string; pattern: string; payload: Record<string, unknown>; published_at: Date | null }> = await dataSource.query(
      `SELECT event_id, pattern, payload, published_at FROM dispatch.outbox WHERE pattern = $1 ORDER BY id`,
      [PATTERNS.AGENCY_REGISTERED],
    );
    const toIntake: Array<{ payload: Record<string, unknown> }> = await dataSource.query(`SELECT payload FROM dispatch.outbox WHERE pattern = $1 ORDER BY id`, [
      PATTERNS.AGENCY_REGISTERED_FOR_INTAKE,
    ]);
    expect(toIntake.map((r) => r.payload.apiKeyHash)).toEqual(agencies.map((a) => a.apiKeyHash));
    expect(rows.map((r) => r.pattern)).toEqual([PATTERNS.AGENCY_REGISTERED, PATTERNS.AGENCY_REGISTERED]);
    expect(rows.map((r) => r.payload)).toEqual(
      agencies.map((a, i) => ({ eventId: rows[i].event_id, occurredAt: expect.any(String), agencyId: a.id, name: a.name, apiKeyHash: a.apiKeyHash })),
    );
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(2);
    const created: Array<{ id: string; created_at: Date }> = await dataSource.query(`SELECT id, created_at FROM dispatch.agencies`);
    for (const row of rows) {
      expect(row.published_at).toBeNull();
      expect(validateContract(AgencyRegisteredEvent, row.payload).ok).toBe(true);
      // Registered when the agency was created (to the millisecond), in the ISO form provisioning writes.
      const createdAt = created.find((a) => a.id === row.payload.agencyId)!.created_at;
      expect(row.payload.occurredAt).toBe(createdAt.toISOString());
    }
  });
});
