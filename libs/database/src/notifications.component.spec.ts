import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { createTestDatabase, queryRows } from '../../../test/support/database.js';
import { eventually } from '../../../test/support/eventually.js';
import { TcpProxy } from '../../../test/support/tcp-proxy.js';
import { createServiceDataSource } from './data-source.js';
import { NotificationListener } from './notifications.js';

describe('a LISTEN connection gone without a word (real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let proxy: TcpProxy;
  let dataSource: DataSource;
  let listener: NotificationListener;
  const heard: string[] = [];
  let subscribed = 0;
  const lost: unknown[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    const proxied = await TcpProxy.inFrontOf(db.url);
    proxy = proxied.proxy;
    dataSource = await createServiceDataSource({ url: proxied.url, schema: 'public', entities: [], migrations: [], poolSize: 1 }).initialize();
    listener = new NotificationListener(
      dataSource,
      'listen_test',
      { notified: (payload) => heard.push(payload), subscribed: () => subscribed++, lost: (error) => lost.push(error) },
      { everyMs: 200, timeoutMs: 500 },
    );
    listener.start();
    await eventually(() => listener.listening, 'LISTEN in place');
  });

  afterAll(async () => {
    // The proxy first: its silenced connections close, so the pool's idle one does not wait for a goodbye.
    await proxy?.close();
    await listener?.close();
    await dataSource?.destroy();
    await db?.drop();
  });

  const notify = (payload: string) => queryRows(db.url, `SELECT pg_notify('listen_test', $1)`, [payload]);

  it('is found out by its unanswered ping, said lost, and listens again on a new connection', async () => {
    await notify('before');
    await eventually(() => heard.includes('before'), 'the first notification heard');
    expect(subscribed).toBe(1);

    // The listening connection's packets are dropped from now on; new connections pass.
    proxy.blackhole('open');
    await eventually(() => lost.length === 1 && subscribed === 2 && listener.listening, 'the silent connection dropped and LISTEN in place again', 10_000);
    await notify('after');
    await eventually(() => heard.includes('after'), 'a notification heard on the new connection');
  });
});
