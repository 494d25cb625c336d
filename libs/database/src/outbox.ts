import { AsyncResource } from 'node:async_hooks';
import type { EntityManager, DataSource } from 'typeorm';

/** SQL that creates a service's outbox and inbox tables; each service's first migration runs it. */
export function messagingTablesSql(schema: string): string[] {
  return [
    `CREATE TABLE "${schema}".outbox (
      id bigserial PRIMARY KEY,
      event_id uuid NOT NULL,
      pattern text NOT NULL,
      payload jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      last_error text,
      published_at timestamptz,
      CONSTRAINT "UQ_${schema}_outbox_event_id" UNIQUE (event_id)
    )`,
    `CREATE INDEX "IDX_${schema}_outbox_unpublished" ON "${schema}".outbox (id) WHERE published_at IS NULL`,
    `CREATE TABLE "${schema}".inbox (
      event_id uuid PRIMARY KEY,
      pattern text NOT NULL,
      handled_at timestamptz NOT NULL DEFAULT now()
    )`,
  ];
}

export interface OutboxMessage<T = unknown> {
  eventId: string;
  pattern: string;
  payload: T;
}

/**
 * The outbox INSERT with the given placeholders for event_id, pattern and payload (JSON text), for a caller
 * that writes its state change and its event in one statement (a data-modifying CTE) to save round trips.
 */
export function outboxInsertSql(schema: string, placeholders: [eventId: string, pattern: string, payload: string]): string {
  return `INSERT INTO "${schema}".outbox (event_id, pattern, payload) VALUES (${placeholders.join(', ')})`;
}

/**
 * The outbox INSERT of the rows of `select` (event_id, pattern and payload as jsonb, in the order to publish them),
 * for a caller that writes only the events of the rows its state change touched, in the same statement.
 */
export function outboxInsertFromSql(schema: string, select: string): string {
  return `INSERT INTO "${schema}".outbox (event_id, pattern, payload) ${select}`;
}

/**
 * Adds events to the outbox inside the caller's transaction, in one statement, so they leave only if the state
 * change commits; the relay publishes them in the order given.
 */
export async function addToOutbox(manager: EntityManager, schema: string, ...messages: OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  const params = messages.flatMap((message) => [message.eventId, message.pattern, JSON.stringify(message.payload)]);
  const rows = messages.map((_, i) => `($${i * 3 + 1}::uuid, $${i * 3 + 2}, $${i * 3 + 3}::jsonb)`);
  await manager.query(`INSERT INTO "${schema}".outbox (event_id, pattern, payload) VALUES ${rows.join(', ')}`, params);
}

/**
 * The inbox INSERT of `rows` (a VALUES list or a SELECT of event_id and pattern), `RETURNING event_id` of the
 * events that are new: for a caller that claims events and writes their effects in one statement (a
 * data-modifying CTE).
 */
export function inboxClaimSql(schema: string, rows: string): string {
  return `INSERT INTO "${schema}".inbox (event_id, pattern) ${rows} ON CONFLICT (event_id) DO NOTHING RETURNING event_id`;
}

/**
 * Records an event as handled inside the caller's transaction. Returns false when it was handled before, so a
 * redelivered event changes nothing.
 */
export async function claimInboxEvent(manager: EntityManager, schema: string, eventId: string, pattern: string): Promise<boolean> {
  const rows: unknown[] = await manager.query(inboxClaimSql(schema, 'VALUES ($1::uuid, $2)'), [eventId, pattern]);
  return rows.length === 1;
}

export type Publish = (message: OutboxMessage) => Promise<void>;

export interface OutboxRelayOptions {
  dataSource: DataSource;
  schema: string;
  publish: Publish;
  pollIntervalMs: number;
  batchSize?: number;
  /**
   * How long a poke waits for more events before relaying. Under load every commit pokes; a few milliseconds
   * let a burst leave in one relay transaction instead of one each.
   */
  coalesceMs?: number;
  /**
   * Which of a pattern's events must arrive in order: events with the same key are published one after another,
   * oldest first, and different keys side by side. Without it each pattern's events form one sequence.
   */
  orderingKey?: (message: OutboxMessage) => string;
  /** How many publishes of one pattern may be in flight at once, across its ordering keys (default 16). */
  maxInFlight?: number;
  onError?: (message: OutboxMessage, error: unknown) => void;
  /** Called for each event the transport took (its row is marked published when the batch commits). */
  onPublished?: (message: OutboxMessage) => void;
}

/** The events an outbox holds unpublished, and how long the oldest has waited. */
export interface OutboxBacklog {
  events: number;
  oldestAgeSeconds: number;
}

/**
 * An outbox's backlog in one statement on its index of unpublished rows (the partial index holds only those, so
 * this reads as many entries as are waiting, never the published history). The oldest is the lowest id.
 */
export async function outboxBacklog(dataSource: DataSource, schema: string): Promise<OutboxBacklog> {
  const [row]: Array<{ events: string; oldest_age: number | null }> = await dataSource.query(
    `SELECT count(*) AS events,
            (SELECT extract(epoch FROM now() - created_at) FROM "${schema}".outbox
              WHERE published_at IS NULL ORDER BY id LIMIT 1)::float8 AS oldest_age
       FROM "${schema}".outbox WHERE published_at IS NULL`,
  );
  return { events: Number(row?.events ?? 0), oldestAgeSeconds: Math.max(0, row?.oldest_age ?? 0) };
}

/**
 * Publishes committed outbox rows, oldest first, at least once. Rows are locked with SKIP LOCKED so several
 * instances can relay side by side; a failed publish is retried with exponential backoff capped at 15 s. The later
 * events of its sequence (its pattern, or its pattern and ordering key) in the same batch are held back and become
 * due when it does, so no later batch publishes them ahead of it; other sequences go on. Patterns are published
 * side by side and pokes relay at once whatever has failed, so a consumer that is down or silent delays only its
 * own events. Consumers must tolerate duplicates and reordering (they keep an inbox, and statuses only move
 * forward): events of a failed sequence that were not in its batch are not held back, and relays that share an
 * outbox skip each other's locked rows.
 */
export class OutboxRelay {
  private timer?: NodeJS.Timeout;
  private running = false;
  private again = false;
  private stopped = true;
  /** True while a tick is due within the coalescing window, so pokes in a burst share one relay transaction. */
  private soon = false;

  private readonly maxInFlight: number;

  constructor(private readonly options: OutboxRelayOptions) {
    this.maxInFlight = options.maxInFlight ?? 16;
    if (!Number.isInteger(this.maxInFlight) || this.maxInFlight < 1) throw new Error(`maxInFlight must be a positive integer, got ${this.maxInFlight}`);
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    while (this.running) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  /**
   * Call after a commit that added to the outbox, so the event leaves now rather than at the next poll. The relay
   * runs in the async context it was made in, not in the poker's (a request's log fields must not label it).
   */
  readonly poke: () => void = AsyncResource.bind(() => this.pokeHere());

  private pokeHere(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else if (!this.soon) this.schedule(this.options.coalesceMs ?? 0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.soon = delayMs <= (this.options.coalesceMs ?? 0);
    this.timer = setTimeout(() => {
      this.soon = false;
      void this.tick();
    }, delayMs);
  }

  private async tick(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    let full = false;
    try {
      full = await this.relayBatch();
    } catch (error) {
      this.options.onError?.({ eventId: '', pattern: '(relay)', payload: null }, error);
    } finally {
      this.running = false;
    }
    const more = full || this.again;
    this.again = false;
    this.schedule(more ? 0 : this.options.pollIntervalMs);
  }

  /** Returns true when the batch was full, i.e. more rows may be waiting. */
  async relayBatch(): Promise<boolean> {
    const { dataSource, schema, publish } = this.options;
    const batchSize = this.options.batchSize ?? 100;
    return dataSource.transaction(async (manager) => {
      const rows: Array<{ id: string; event_id: string; pattern: string; payload: unknown }> = await manager.query(
        `SELECT id, event_id, pattern, payload FROM "${schema}".outbox
          WHERE published_at IS NULL AND next_attempt_at <= now()
          ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batchSize],
      );
      const published: string[] = [];
      const failed: Array<{ id: string; error: string }> = [];
      const heldBack: Array<{ id: string; behind: string }> = [];
      const publishInOrder = async (sequence: Array<{ id: string; message: OutboxMessage }>) => {
        for (const [i, { id, message }] of sequence.entries()) {
          try {
            await publish(message);
            published.push(id);
            this.options.onPublished?.(message);
          } catch (error) {
            this.options.onError?.(message, error);
            failed.push({ id, error: String((error as Error)?.message ?? JSON.stringify(error)).slice(0, 500) });
            for (const later of sequence.slice(i + 1)) heldBack.push({ id: later.id, behind: id });
            return;
          }
        }
      };
      // Each sequence (a pattern's events, or those of one ordering key within a pattern) one at a time, oldest
      // first, and the sequences side by side. A failure holds back the rest of its sequence in this batch until
      // its retry, so a consumer sees them in order. A consumer that is down, or that accepts the connection and
      // never answers, holds up only its own patterns: the others' events do not wait behind its timeouts. That
      // is also why maxInFlight counts per pattern rather than overall: under one shared limit a silent
      // consumer's publishes, each waiting for its timeout, would take every slot and stall the other patterns.
      const orderingKey = this.options.orderingKey ?? (() => '');
      const messages = rows.map((row) => ({ id: row.id, message: { eventId: row.event_id, pattern: row.pattern, payload: row.payload } }));
      // All keys are taken before the first publish, so a key function that throws fails the batch untouched.
      const sequencesByPattern = groupInOrder(messages, ({ message }) => message.pattern).map((ofPattern) =>
        groupInOrder(ofPattern, ({ message }) => orderingKey(message)),
      );
      await Promise.all(sequencesByPattern.map((sequences) => forEachConcurrently(sequences, this.maxInFlight, publishInOrder)));
      if (published.length > 0) {
        await manager.query(`UPDATE "${schema}".outbox SET published_at = now() WHERE id = ANY($1::bigint[])`, [published]);
      }
      if (failed.length > 0) {
        // Each held-back row becomes due when the failed row it waits behind does (its attempts and error left as
        // they are), so no batch publishes it first, and no poke retries either before the backoff ends.
        await manager.query(
          `WITH failed AS (
             UPDATE "${schema}".outbox SET attempts = attempts + 1, last_error = f.error,
               next_attempt_at = now() + least(interval '15 seconds', interval '100 milliseconds' * power(2, attempts))
               FROM unnest($1::bigint[], $2::text[]) AS f(id, error)
              WHERE outbox.id = f.id
             RETURNING outbox.id, outbox.next_attempt_at
           )
           UPDATE "${schema}".outbox SET next_attempt_at = failed.next_attempt_at
             FROM unnest($3::bigint[], $4::bigint[]) AS h(id, behind) JOIN failed ON failed.id = h.behind
            WHERE outbox.id = h.id`,
          [failed.map((f) => f.id), failed.map((f) => f.error), heldBack.map((h) => h.id), heldBack.map((h) => h.behind)],
        );
      }
      return rows.length === batchSize;
    });
  }
}

/** The items grouped by key, each group in the items' order, the groups in the order their keys first appear. */
function groupInOrder<T>(items: T[], keyOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return [...groups.values()];
}

/** Runs `work` on every item, taking them in order, with at most `limit` running at once. */
async function forEachConcurrently<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
