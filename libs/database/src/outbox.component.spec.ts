import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createTestDatabase } from '../../../test/support/database.js';
import { eventually } from '../../../test/support/eventually.js';
import { createServiceDataSource, migrate } from './data-source.js';
import { addToOutbox, claimInboxEvent, messagingTablesSql, outboxBacklog, OutboxRelay, type OutboxMessage } from './outbox.js';

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

  // Whatever a test leaves unpublished, even when it fails, must not reach the next test's relay.
  afterEach(async () => {
    await dataSource.query('UPDATE relaytest.outbox SET published_at = now() WHERE published_at IS NULL');
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

  it('relays outside the async context of whoever poked it (a request poking must not lend it its log fields)', async () => {
    const context = new AsyncLocalStorage<string>();
    const seenIn: Array<string | undefined> = [];
    const sut = new OutboxRelay({ dataSource, schema: 'relaytest', pollIntervalMs: 60_000, publish: async () => void seenIn.push(context.getStore()) });
    sut.start();
    try {
      await add(2);
      context.run('a request', () => sut.poke());
      await eventually(async () => (seenIn.length === 2 ? true : undefined), 'both events relayed');
      expect(seenIn).toEqual([undefined, undefined]);
    } finally {
      await sut.stop();
    }
  });

  it('counts the backlog and the age of its oldest event from the unpublished rows alone', async () => {
    expect(await outboxBacklog(dataSource, 'relaytest')).toEqual({ events: 0, oldestAgeSeconds: 0 });
    await dataSource.query("INSERT INTO relaytest.outbox (event_id, pattern, payload, created_at) VALUES ($1, 'test.event', '{}', now() - interval '90 seconds')", [randomUUID()]);
    await add(2);
    const backlog = await outboxBacklog(dataSource, 'relaytest');
    expect(backlog.events).toBe(3);
    expect(backlog.oldestAgeSeconds).toBeGreaterThanOrEqual(90);
    expect(backlog.oldestAgeSeconds).toBeLessThan(3600);
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

  /**
   * Expects that only `failed` and `heldBack` are left: the failed event backs off after one attempt, and the later
   * one of its sequence, held back, was not tried and waits its turn behind it, due when it is.
   */
  const expectHeldBackBehind = async (failed: OutboxMessage, heldBack: OutboxMessage) => {
    const rows = await dataSource.query(
      'SELECT event_id, attempts, last_error, next_attempt_at FROM relaytest.outbox WHERE published_at IS NULL ORDER BY id',
    );
    expect(rows).toEqual([
      { event_id: failed.eventId, attempts: 1, last_error: 'ECONNREFUSED', next_attempt_at: expect.any(Date) },
      { event_id: heldBack.eventId, attempts: 0, last_error: null, next_attempt_at: rows[0]?.next_attempt_at },
    ]);
  };

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
    await expectHeldBackBehind(events[0], events[2]);
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

  /** Adds one event per [pattern, key], in this order, in one transaction; the key rides in the payload. */
  const addKeyed = async (specs: Array<[pattern: string, key: string]>) => {
    const events = specs.map(([pattern, key], i): OutboxMessage => {
      const eventId = randomUUID();
      return { eventId, pattern, payload: { eventId, key, i } };
    });
    await dataSource.transaction((manager) => addToOutbox(manager, 'relaytest', ...events));
    return events;
  };
  const keyOf = (m: OutboxMessage) => (m.payload as { key: string }).key;

  /**
   * A consumer that takes a few milliseconds per event, fails those `fails` picks, and records the most publishes
   * it saw in flight at once: in all, per pattern, and per pattern and key.
   */
  const slowConsumer = (fails: (m: OutboxMessage) => boolean = () => false) => {
    const inFlight = new Map<string, number>();
    const most = new Map<string, number>();
    const delivered: OutboxMessage[] = [];
    const publish = async (m: OutboxMessage) => {
      const counted = ['all', m.pattern, `${m.pattern}/${keyOf(m)}`];
      for (const name of counted) {
        inFlight.set(name, (inFlight.get(name) ?? 0) + 1);
        most.set(name, Math.max(most.get(name) ?? 0, inFlight.get(name)!));
      }
      try {
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (fails(m)) throw new Error('ECONNREFUSED');
        delivered.push(m);
      } finally {
        for (const name of counted) inFlight.set(name, inFlight.get(name)! - 1);
      }
    };
    return { publish, delivered, mostInFlight: (name: string) => most.get(name) ?? 0 };
  };

  it('with an ordering key, publishes different keys side by side and each key\'s events one at a time, in order', async () => {
    const events = await addKeyed(['a', 'b', 'c', 'a', 'b', 'c', 'a', 'b', 'c'].map((key) => ['test.keyed', key]));
    const consumer = slowConsumer();
    const sut = new OutboxRelay({ dataSource, schema: 'relaytest', pollIntervalMs: 50, publish: consumer.publish, orderingKey: keyOf });
    await sut.relayBatch();
    expect(consumer.mostInFlight('test.keyed')).toBe(3);
    for (const key of ['a', 'b', 'c']) {
      expect(consumer.mostInFlight(`test.keyed/${key}`)).toBe(1);
      expect(consumer.delivered.filter((m) => keyOf(m) === key).map((m) => m.eventId)).toEqual(
        events.filter((m) => keyOf(m) === key).map((m) => m.eventId),
      );
    }
    expect(await unpublished()).toBe(0);
  });

  it('with an ordering key, a failure holds back only the later events of its key', async () => {
    const events = await addKeyed(['a', 'b', 'a', 'b', 'a', 'b'].map((key) => ['test.keyed', key]));
    const consumer = slowConsumer((m) => m.eventId === events[2].eventId);
    const sut = new OutboxRelay({ dataSource, schema: 'relaytest', pollIntervalMs: 50, publish: consumer.publish, orderingKey: keyOf });
    await sut.relayBatch();
    expect(consumer.delivered.map((m) => m.eventId).sort()).toEqual([events[0], events[1], events[3], events[5]].map((m) => m.eventId).sort());
    await expectHeldBackBehind(events[2], events[4]);
  });

  it('keeps a key in order across batches: the events held back by a failure leave after its retry, not before', async () => {
    const events = await addKeyed(['a', 'b', 'a', 'a'].map((key) => ['test.keyed', key]));
    let failures = 0;
    const consumer = slowConsumer((m) => m.eventId === events[0].eventId && failures++ === 0);
    const sut = new OutboxRelay({ dataSource, schema: 'relaytest', pollIntervalMs: 50, publish: consumer.publish, orderingKey: keyOf });
    const deliveredOf = (key: string) => consumer.delivered.filter((m) => keyOf(m) === key).map((m) => m.eventId);
    await sut.relayBatch();
    expect(deliveredOf('b')).toEqual([events[1].eventId]);
    // The next batch, at once, finds key a's events all waiting out the failed one's backoff (100 ms).
    await sut.relayBatch();
    expect(deliveredOf('a')).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await sut.relayBatch();
    expect(deliveredOf('a')).toEqual([events[0], events[2], events[3]].map((m) => m.eventId));
    expect(await unpublished()).toBe(0);
  });

  it('while one consumer keeps failing, relays the other patterns\' events at each poke rather than at the next poll', async () => {
    const consumer = slowConsumer((m) => m.pattern === 'to.fee');
    const sut = new OutboxRelay({
      dataSource,
      schema: 'relaytest',
      pollIntervalMs: 60_000,
      coalesceMs: 5,
      publish: consumer.publish,
      orderingKey: keyOf,
    });
    const [fee] = await addKeyed([['to.fee', 'order-0']]);
    sut.start();
    try {
      await eventually(async () => {
        const [row] = await dataSource.query('SELECT attempts FROM relaytest.outbox WHERE event_id = $1', [fee.eventId]);
        return row.attempts > 0 ? true : undefined;
      }, 'the fee event to fail');
      for (let i = 1; i <= 3; i++) {
        const [, status] = await addKeyed([
          ['to.fee', `order-${i}`],
          ['to.intake', `order-${i}`],
        ]);
        sut.poke();
        // Well within the 60 s poll: only the poke can have sent it.
        const relayed = () => (consumer.delivered.some((m) => m.eventId === status.eventId) ? true : undefined);
        await eventually(relayed, `status event ${i} relayed at its poke`, 1000);
      }
    } finally {
      await sut.stop();
    }
    expect(consumer.delivered.map((m) => m.pattern)).toEqual(['to.intake', 'to.intake', 'to.intake']);
  });

  it('keeps at most maxInFlight publishes of a pattern in flight, each pattern on its own', async () => {
    const specs = ['to.fee', 'to.intake'].flatMap((pattern) => Array.from({ length: 10 }, (_, i): [string, string] => [pattern, `key-${i}`]));
    const events = await addKeyed(specs);
    const consumer = slowConsumer();
    const sut = new OutboxRelay({ dataSource, schema: 'relaytest', pollIntervalMs: 50, publish: consumer.publish, orderingKey: keyOf, maxInFlight: 3 });
    await sut.relayBatch();
    expect(consumer.mostInFlight('to.fee')).toBe(3);
    expect(consumer.mostInFlight('to.intake')).toBe(3);
    expect(consumer.mostInFlight('all')).toBe(6);
    expect(consumer.delivered.map((m) => m.eventId).sort()).toEqual(events.map((m) => m.eventId).sort());
    expect(await unpublished()).toBe(0);
  });

  it('claims an inbox event once', async () => {
    const eventId = randomUUID();
    const claims = await Promise.all(
      [1, 2, 3].map(() => dataSource.transaction((manager) => claimInboxEvent(manager, 'relaytest', eventId, 'test.event'))),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
  });
});
