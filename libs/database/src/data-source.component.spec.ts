import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { createTestDatabase } from '../../../test/support/database.js';
import { eventually } from '../../../test/support/eventually.js';
import { TcpProxy } from '../../../test/support/tcp-proxy.js';
import { createServiceDataSource, DEAD_CONNECTION_GRACE_MS } from './data-source.js';
import { isDatabaseUnavailable } from './database-unavailable.js';
import { pipelinedTransaction, poolOf } from './pipeline.js';

const STATEMENT_TIMEOUT_MS = 300;

/** How long the promise takes to settle, and its error if it failed. */
async function timed(work: Promise<unknown>): Promise<{ ms: number; error?: unknown }> {
  const started = Date.now();
  try {
    await work;
    return { ms: Date.now() - started };
  } catch (error) {
    return { ms: Date.now() - started, error };
  }
}

describe("a service's data source bounds every statement (real PostgreSQL)", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let proxy: TcpProxy;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    const proxied = await TcpProxy.inFrontOf(db.url);
    proxy = proxied.proxy;
    dataSource = await createServiceDataSource({
      url: proxied.url,
      schema: 'public',
      entities: [],
      migrations: [],
      poolSize: 2,
      statementTimeoutMs: STATEMENT_TIMEOUT_MS,
    }).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await proxy?.close();
    await db?.drop();
  });

  it('has PostgreSQL cancel a statement past the timeout, an error that says the database could not answer, and keeps the connection', async () => {
    const pid = (await dataSource.query('SELECT pg_backend_pid() AS pid'))[0].pid;
    const { error } = await timed(dataSource.query('SELECT pg_sleep(5)'));
    expect(error).toMatchObject({ driverError: expect.objectContaining({ code: '57014' }) });
    expect(isDatabaseUnavailable(error)).toBe(true);
    // The same connection answers the next statement: a cancelled statement is no dead connection.
    const pids = await Promise.all([0, 1].map(() => dataSource.query('SELECT pg_backend_pid() AS pid')));
    expect(pids.map((rows) => rows[0].pid)).toContain(pid);
  });

  it('asks PostgreSQL to end the session of a client gone without a word: keepalive probes and a bound on unacknowledged data', async () => {
    const [settings] = await dataSource.query(
      `SELECT current_setting('tcp_keepalives_idle') AS idle, current_setting('tcp_keepalives_interval') AS interval,
              current_setting('tcp_keepalives_count') AS count, current_setting('tcp_user_timeout') AS user_timeout,
              current_setting('statement_timeout') AS statement_timeout`,
    );
    // Read back from the connection's socket (PostgreSQL shows a Unix socket's as 0): seconds, and milliseconds.
    expect(settings).toEqual({ idle: '10', interval: '5', count: '4', user_timeout: '30000', statement_timeout: `${STATEMENT_TIMEOUT_MS}ms` });
  });

  it('takes a connection whose statements go unanswered as dead: they fail at the timeout and its grace, and the next statement gets a new connection', async () => {
    const pool = poolOf(dataSource);
    await Promise.all([dataSource.query('SELECT 1'), dataSource.query('SELECT 1')]);
    // The open connections' packets are dropped from now on (a middlebox losing the flows); new connections pass.
    proxy.blackhole('open');
    const [plain, transaction] = await Promise.all([
      timed(dataSource.query('SELECT 1')),
      timed(pipelinedTransaction(dataSource, [{ text: 'SELECT 1' }, { text: 'SELECT 2' }])),
    ]);
    for (const { ms, error } of [plain, transaction]) {
      expect(isDatabaseUnavailable(error)).toBe(true);
      expect(ms).toBeGreaterThanOrEqual(STATEMENT_TIMEOUT_MS + DEAD_CONNECTION_GRACE_MS - 50);
    }
    // The pool drops each dead connection as its close is heard, a moment later (a statement taking one before that
    // fails as the database unavailable, as these did); the next statement then gets a new connection.
    await eventually(() => pool.totalCount === 0, 'the dead connections dropped from the pool');
    expect(await dataSource.query('SELECT 41 + 1 AS answer')).toEqual([{ answer: 42 }]);
  }, 30_000);
});
