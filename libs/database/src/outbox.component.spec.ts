import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createTestDatabase } from '../../../test/support/database.js';
import { createServiceDataSource, migrate } from './data-source.js';
import { addToOutbox, claimInboxEvent, messagingTablesSql, OutboxRelay, type OutboxMessage } from './outbox.js';

class MessagingTables1700000000000 {
  name = 'MessagingTables1700000000000';
  async up(q: { query(sql: string): Promise<unknown> }): Promise<void> {
    for (const sql of messagingTablesSql('relaytest')) await q.query(sql);
  }
  async down(): Promise<void> {}
}

describe('outbox relay and inbox (real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await createServiceDataSource({ url: db.url, schema: 'relaytest', entities: [], migrations: [MessagingTables1700000000000] }).initialize();
    await migrate(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  const add = async (n: number) => {
    const ids: string[] = [];
    await dataSource.transaction(async (manager) => {
      for (let i = 0; i < n; i++) {
        const eventId = randomUUID();
        ids.push(eventId);
        await addToOutbox(manager, 'relaytest', { eventId, pattern: 'test.event', payload: { eventId, i } });
      }
    });
    return ids;
  };

  const unpublished = async () =>
    (await dataSource.query('SELECT count(*)::int AS n FROM relaytest.outbox WHERE published_at IS NULL'))[0].n as number;

  it('publishes every committed event and marks it published', async () => {
    const ids = await add(40);
    const seen: OutboxMessage[] = [];
    const sut = new OutboxRelay({ dataSource, schema: 'relaytest', pollIntervalMs: 50, publish: async (m) => void seen.push(m) });
    while (await sut.relayBatch());
    expect(seen.map((m) => m.eventId).sort()).toEqual([...ids].sort());
    expect(seen[0]).toMatchObject({ pattern: 'test.event', payload: { eventId: seen[0].eventId } });
    expect(await unpublished()).toBe(0);
  });

  it('keeps what failed to publish, backs off, and delivers it once the consumer is back', async () => {
    const ids = await add(3);
    let up = false;
    const delivered: string[] = [];
    const sut = new OutboxRelay({
      dataSource,
      schema: 'relaytest',
      pollIntervalMs: 50,
      publish: async (m) => {
        if (!up) throw new Error('ECONNREFUSED');
        delivered.push(m.eventId);
      },
    });
    await sut.relayBatch();
    expect(await unpublished()).toBe(3);
    const [row] = await dataSource.query(
      "SELECT attempts, last_error, next_attempt_at > now() AS backing_off FROM relaytest.outbox WHERE published_at IS NULL ORDER BY id LIMIT 1",
    );
    expect(row).toEqual({ attempts: 1, last_error: 'ECONNREFUSED', backing_off: true });
    // Backing off: an immediate retry does not touch them.
    await sut.relayBatch();
    expect(delivered).toEqual([]);

    up = true;
    await dataSource.query('UPDATE relaytest.outbox SET next_attempt_at = now() WHERE published_at IS NULL');
    while (await sut.relayBatch());
    expect(delivered.sort()).toEqual([...ids].sort());
    expect(await unpublished()).toBe(0);
  });

  it('holds back only the failing consumer: events of other patterns still leave, in order', async () => {
    const events: OutboxMessage[] = [];
    await dataSource.transaction(async (manager) => {
      for (const [i, pattern] of ['to.fee', 'to.intake', 'to.fee', 'to.intake'].entries()) {
        const eventId = randomUUID();
        events.push({ eventId, pattern, payload: { eventId, i } });
        await addToOutbox(manager, 'relaytest', events.at(-1)!);
      }
    });
    const delivered: string[] = [];
    const sut = new OutboxRelay({
      dataSource,
      schema: 'relaytest',
      pollIntervalMs: 50,
      publish: async (m) => {
        if (m.pattern === 'to.fee') throw new Error('ECONNREFUSED');
        delivered.push(m.eventId);
      },
    });
    await sut.relayBatch();
    expect(delivered).toEqual([events[1].eventId, events[3].eventId]);
    // The first failed and backs off; the second, held back, was not tried and waits its turn behind it.
    const rows = await dataSource.query('SELECT event_id, attempts FROM relaytest.outbox WHERE published_at IS NULL ORDER BY id');
    expect(rows).toEqual([
      { event_id: events[0].eventId, attempts: 1 },
      { event_id: events[2].eventId, attempts: 0 },
    ]);
    await dataSource.query("UPDATE relaytest.outbox SET published_at = now() WHERE pattern = 'to.fee'");
  });

  it('does not make other consumers wait for one that never answers', async () => {
    const events: OutboxMessage[] = [];
    await dataSource.transaction(async (manager) => {
      for (const [i, pattern] of ['to.intake', 'to.fee', 'to.fee'].entries()) {
        const eventId = randomUUID();
        events.push({ eventId, pattern, payload: { eventId, i } });
        await addToOutbox(manager, 'relaytest', events.at(-1)!);
      }
    });
    const deliveredAt = new Map<string, number>();
    const started = Date.now();
    const sut = new OutboxRelay({
      dataSource,
      schema: 'relaytest',
      pollIntervalMs: 50,
      publish: async (m) => {
        // Intake accepted the connection and is silent: the publish ends only at its timeout.
        if (m.pattern === 'to.intake') return new Promise((_, reject) => setTimeout(() => reject(new Error('Timeout has occurred')), 1500));
        deliveredAt.set(m.eventId, Date.now() - started);
      },
    });
    await sut.relayBatch();
    expect([...deliveredAt.keys()]).toEqual([events[1].eventId, events[2].eventId]);
    expect(Math.max(...deliveredAt.values())).toBeLessThan(1000);
    expect(await unpublished()).toBe(1);
    await dataSource.query("UPDATE relaytest.outbox SET published_at = now() WHERE pattern = 'to.intake'");
  });

  it('lets two relays share one outbox without publishing an event twice', async () => {
    const ids = await add(60);
    const seen: string[] = [];
    const slow = async (m: OutboxMessage) => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      seen.push(m.eventId);
    };
    const a = new OutboxRelay({ dataSource, schema: 'relaytest', pollIntervalMs: 50, batchSize: 10, publish: slow });
    const b = new OutboxRelay({ dataSource, schema: 'relaytest', pollIntervalMs: 50, batchSize: 10, publish: slow });
    const drain = async (relay: OutboxRelay) => {
      while (await relay.relayBatch());
    };
    await Promise.all([drain(a), drain(b)]);
    while (await a.relayBatch());
    expect(seen.sort()).toEqual([...ids].sort());
  });

  it('claims an inbox event once', async () => {
    const eventId = randomUUID();
    const claims = await Promise.all(
      [1, 2, 3].map(() => dataSource.transaction((manager) => claimInboxEvent(manager, 'relaytest', eventId, 'test.event'))),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
  });
});
