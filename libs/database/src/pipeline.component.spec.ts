import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { createTestDatabase } from '../../../test/support/database.js';
import { createServiceDataSource, migrate } from './data-source.js';
import { pipelinedTransaction, poolOf, queryPrepared } from './pipeline.js';

class PipelineTables1700000000000 {
  name = 'PipelineTables1700000000000';
  async up(q: { query(sql: string): Promise<unknown> }): Promise<void> {
    await q.query('CREATE TABLE pipetest.seats (id int PRIMARY KEY, taken_by text)');
    await q.query('CREATE TABLE pipetest.bookings (seat int PRIMARY KEY REFERENCES pipetest.seats (id), who text NOT NULL)');
  }
  async down(): Promise<void> {}
}

describe('pipelined transactions and prepared statements (real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await createServiceDataSource({ url: db.url, schema: 'pipetest', entities: [], migrations: [PipelineTables1700000000000], poolSize: 2 }).initialize();
    await migrate(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  beforeEach(async () => {
    await dataSource.query('TRUNCATE pipetest.bookings, pipetest.seats');
    await dataSource.query('INSERT INTO pipetest.seats (id) SELECT generate_series(1, 3)');
  });

  const booking = (seat: number, who: string) => ({
    text: `WITH locked AS (SELECT id FROM pipetest.seats WHERE id = $1 AND taken_by IS NULL FOR UPDATE)
           INSERT INTO pipetest.bookings (seat, who) SELECT id, $2 FROM locked RETURNING seat, who`,
    values: [seat, who],
  });
  const take = { text: 'UPDATE pipetest.seats s SET taken_by = b.who FROM pipetest.bookings b WHERE b.seat = s.id AND s.taken_by IS NULL RETURNING s.id', values: [] };

  it('commits every statement, each reading what the ones before it wrote, and returns each one\'s rows', async () => {
    const [first, second, taken] = await pipelinedTransaction(dataSource, [booking(1, 'kim'), booking(2, 'lee'), take]);
    expect(first).toEqual([{ seat: 1, who: 'kim' }]);
    expect(second).toEqual([{ seat: 2, who: 'lee' }]);
    expect(taken!.map((row) => row.id).sort()).toEqual([1, 2]);
    expect(await dataSource.query('SELECT id, taken_by FROM pipetest.seats ORDER BY id')).toEqual([
      { id: 1, taken_by: 'kim' },
      { id: 2, taken_by: 'lee' },
      { id: 3, taken_by: null },
    ]);
  });

  it('keeps nothing when a statement fails, throws its error, and leaves the connection usable', async () => {
    const failing = pipelinedTransaction(dataSource, [booking(1, 'kim'), { text: 'INSERT INTO pipetest.bookings (seat, who) VALUES ($1, $2)', values: [9, 'park'] }, take]);
    await expect(failing).rejects.toMatchObject({ code: '23503' });
    expect(await dataSource.query('SELECT count(*)::int AS n FROM pipetest.bookings')).toEqual([{ n: 0 }]);
    expect(await dataSource.query('SELECT count(*)::int AS n FROM pipetest.seats WHERE taken_by IS NOT NULL')).toEqual([{ n: 0 }]);
    // The connection went back to the pool out of any transaction, and serves the next one.
    const stuck = await poolOf(dataSource).query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
    );
    expect(stuck.rows).toEqual([{ n: 0 }]);
    await expect(pipelinedTransaction(dataSource, [booking(3, 'choi')])).resolves.toEqual([[{ seat: 3, who: 'choi' }]]);
  });

  it('runs a prepared statement on the pool, and inside a transaction on that transaction\'s connection', async () => {
    await expect(queryPrepared(dataSource, { text: 'SELECT count(*)::int AS n FROM pipetest.seats WHERE id = ANY($1::int[])', values: [[1, 2]] })).resolves.toEqual([{ n: 2 }]);
    await expect(
      dataSource.transaction(async (manager) => {
        await queryPrepared(manager, booking(1, 'kim'));
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    // Rolled back with its transaction: the statement ran on the transaction's connection, not beside it.
    expect(await dataSource.query('SELECT count(*)::int AS n FROM pipetest.bookings')).toEqual([{ n: 0 }]);
  });
});
