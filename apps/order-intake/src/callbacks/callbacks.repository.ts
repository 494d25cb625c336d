import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { OrderStatus } from '../orders/order-status.js';
import type { OrderFee } from '../orders/order.entity.js';
import type { OrderForCallback, OrderStatusChangedCallback } from './status-callback.js';

export type CallbackState = 'pending' | 'delivered' | 'undeliverable';
export const CALLBACK_STATES: readonly CallbackState[] = ['pending', 'delivered', 'undeliverable'];

/** Callbacks waiting to reach their restaurant, by state (see CallbacksRepository.backlog). */
export interface CallbackBacklog {
  queued: number;
  retrying: number;
  undeliverable: number;
}

/** A callback due now, locked for the sender's transaction, with where to send it and what to sign it with. */
export interface DueCallback {
  id: string;
  webhookId: string;
  restaurantId: string;
  orderId: string;
  payload: OrderStatusChangedCallback;
  /** Tries so far, this one not included. */
  attempts: number;
  /**
   * The restaurant's URL and secrets now: a moved endpoint or a rotated secret applies to retries too. During a
   * rotation's window the replaced secret signs as well, so the restaurant verifies with whichever it holds.
   */
  url: string | null;
  secrets: string[];
}

/** How one try ended. */
export type AttemptOutcome =
  | { delivered: true; responseStatus: number }
  | { delivered: false; responseStatus: number | null; error: string; retryInMs: number };

/** What a round learnt of one callback it took: how its try ended, or why it is given up untried. */
export type RoundResult = { id: string; outcome: AttemptOutcome } | { id: string; giveUp: string };

/** A callback as a round left it. */
export interface RecordedCallback {
  state: CallbackState;
  attempts: number;
  nextAttemptAt: Date | null;
}

/** A callback as its restaurant sees it. */
export interface CallbackRecord {
  id: string;
  webhookId: string;
  orderId: string;
  status: OrderStatus;
  state: CallbackState;
  attempts: number;
  lastAttemptAt: Date | null;
  lastResponseStatus: number | null;
  lastError: string | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
  payload: OrderStatusChangedCallback;
}

const RECORD_COLUMNS = `id, webhook_id, order_id, status, state, attempts, last_attempt_at, last_response_status, last_error,
  next_attempt_at, delivered_at, created_at, payload`;

function toRecord(r: Record<string, unknown>): CallbackRecord {
  return {
    id: r.id as string,
    webhookId: r.webhook_id as string,
    orderId: r.order_id as string,
    status: r.status as OrderStatus,
    state: r.state as CallbackState,
    attempts: r.attempts as number,
    lastAttemptAt: r.last_attempt_at as Date | null,
    lastResponseStatus: r.last_response_status as number | null,
    lastError: r.last_error as string | null,
    nextAttemptAt: r.next_attempt_at as Date | null,
    deliveredAt: r.delivered_at as Date | null,
    createdAt: r.created_at as Date,
    payload: r.payload as OrderStatusChangedCallback,
  };
}

/** The queue of status callbacks (`intake.status_callbacks`). */
@Injectable()
export class CallbacksRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** The order as a callback tells it, when its restaurant wants callbacks; null when it has no callback URL. */
  async orderForCallback(manager: EntityManager, orderId: string): Promise<OrderForCallback | null> {
    const rows: Array<{ restaurant_id: string; external_order_id: string; fee: OrderFee | null; rider_id: string | null; rider_name: string | null }> =
      await manager.query(
        `SELECT o.restaurant_id, o.external_order_id, o.fee, o.rider_id, o.rider_name
           FROM intake.orders o JOIN intake.restaurants r ON r.id = o.restaurant_id
          WHERE o.id = $1 AND r.callback_url IS NOT NULL`,
        [orderId],
      );
    if (rows.length === 0) return null;
    const [r] = rows;
    return {
      restaurantId: r.restaurant_id,
      externalOrderId: r.external_order_id,
      fee: r.fee,
      rider: r.rider_id ? { id: r.rider_id, name: r.rider_name ?? '' } : null,
    };
  }

  /** Queues a callback inside the caller's transaction: it exists only if the change it reports commits. */
  async insert(
    manager: EntityManager,
    callback: { id: string; webhookId: string; restaurantId: string; payload: OrderStatusChangedCallback },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO intake.status_callbacks (id, webhook_id, restaurant_id, order_id, status, payload)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb)`,
      [callback.id, callback.webhookId, callback.restaurantId, callback.payload.orderId, callback.payload.status, JSON.stringify(callback.payload)],
    );
  }

  /**
   * Takes up to `limit` due callbacks, locked until `work` ends, skipping those another sender holds. A
   * callback is due only when no earlier callback of its order is still pending, so one order's callbacks
   * leave in the order its status changed. `work` sends them and writes their outcomes through `recordRound`.
   */
  claimDue<T>(limit: number, work: (due: DueCallback[], manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      const rows: Array<Record<string, unknown>> = await manager.query(
        `SELECT c.id, c.webhook_id, c.restaurant_id, c.order_id, c.payload, c.attempts, r.callback_url, r.webhook_secret,
                CASE WHEN r.previous_webhook_secret_until > now() THEN r.previous_webhook_secret END AS previous_webhook_secret
           FROM intake.status_callbacks c JOIN intake.restaurants r ON r.id = c.restaurant_id
          WHERE c.state = 'pending' AND c.next_attempt_at <= now()
            AND NOT EXISTS (SELECT 1 FROM intake.status_callbacks earlier
                             WHERE earlier.order_id = c.order_id AND earlier.state = 'pending' AND earlier.seq < c.seq)
          ORDER BY c.next_attempt_at
          LIMIT $1
            FOR UPDATE OF c SKIP LOCKED`,
        [limit],
      );
      const due = rows.map(
        (r): DueCallback => ({
          id: r.id as string,
          webhookId: r.webhook_id as string,
          restaurantId: r.restaurant_id as string,
          orderId: r.order_id as string,
          payload: r.payload as OrderStatusChangedCallback,
          attempts: r.attempts as number,
          url: r.callback_url as string | null,
          secrets: [r.webhook_secret as string, ...(r.previous_webhook_secret ? [r.previous_webhook_secret as string] : [])],
        }),
      );
      return work(due, manager);
    });
  }

  /**
   * Writes how a round's tries ended, in one statement inside the claiming transaction. A failure is retried
   * `retryInMs` later, but never later than `maxAgeMs` after the callback was queued (or requeued): at that
   * moment it has its last try, and a failure then makes it undeliverable. A callback given up untried (its
   * restaurant has no callback URL) becomes undeliverable at once, its last try left as it was. Returns each
   * callback's state after the write, by id.
   */
  async recordRound(manager: EntityManager, results: RoundResult[], maxAgeMs: number): Promise<Map<string, RecordedCallback>> {
    if (results.length === 0) return new Map();
    const kinds = results.map((r): 'delivered' | 'failed' | 'given-up' => ('giveUp' in r ? 'given-up' : r.outcome.delivered ? 'delivered' : 'failed'));
    const giveUpAt = `c.pending_since + make_interval(secs => $6::float8 / 1000)`;
    const expired = `(r.kind = 'failed' AND now() >= ${giveUpAt})`;
    // An UPDATE answers [rows, count] through TypeORM.
    const [rows]: [Array<{ id: string; state: CallbackState; attempts: number; next_attempt_at: Date | null }>, number] = await manager.query(
      `UPDATE intake.status_callbacks c
          SET state = CASE WHEN r.kind = 'delivered' THEN 'delivered'
                           WHEN r.kind = 'given-up' OR ${expired} THEN 'undeliverable'
                           ELSE 'pending' END,
              attempts = CASE WHEN r.kind = 'given-up' THEN c.attempts ELSE c.attempts + 1 END,
              delivered_at = CASE WHEN r.kind = 'delivered' THEN now() ELSE c.delivered_at END,
              last_attempt_at = CASE WHEN r.kind = 'given-up' THEN c.last_attempt_at ELSE now() END,
              last_response_status = CASE WHEN r.kind = 'given-up' THEN c.last_response_status ELSE r.response_status END,
              last_error = r.error,
              next_attempt_at = CASE WHEN r.kind <> 'failed' OR ${expired} THEN NULL
                                     ELSE least(now() + make_interval(secs => r.retry_in_ms / 1000), ${giveUpAt}) END,
              updated_at = now()
         FROM unnest($1::uuid[], $2::text[], $3::integer[], $4::text[], $5::float8[]) AS r(id, kind, response_status, error, retry_in_ms)
        WHERE c.id = r.id AND (r.kind <> 'given-up' OR c.state = 'pending')
    RETURNING c.id, c.state, c.attempts, c.next_attempt_at`,
      [
        results.map((r) => r.id),
        kinds,
        results.map((r) => ('giveUp' in r ? null : r.outcome.responseStatus)),
        results.map((r) => ('giveUp' in r ? r.giveUp : r.outcome.delivered ? null : r.outcome.error)),
        results.map((r) => ('giveUp' in r || r.outcome.delivered ? null : r.outcome.retryInMs)),
        maxAgeMs,
      ],
    );
    return new Map(rows.map((row) => [row.id, { state: row.state, attempts: row.attempts, nextAttemptAt: row.next_attempt_at }]));
  }

  /** Gives up every pending callback of a restaurant, inside the caller's transaction. */
  async giveUpPending(manager: EntityManager, restaurantId: string, error: string): Promise<number> {
    const [, count]: [unknown, number] = await manager.query(
      `UPDATE intake.status_callbacks SET state = 'undeliverable', last_error = $2, next_attempt_at = NULL, updated_at = now()
        WHERE restaurant_id = $1 AND state = 'pending'`,
      [restaurantId, error],
    );
    return count;
  }

  /**
   * Callbacks not delivered, by state: `queued` (pending, not tried yet), `retrying` (pending after a failed try),
   * `undeliverable` (given up, waiting for the restaurant's retry). One statement on the pending and undeliverable
   * partial indexes, so its cost follows the backlog, not the history.
   */
  async backlog(): Promise<CallbackBacklog> {
    const [row]: Array<{ queued: string; retrying: string; undeliverable: string }> = await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE attempts = 0) AS queued, count(*) FILTER (WHERE attempts > 0) AS retrying,
              (SELECT count(*) FROM intake.status_callbacks WHERE state = 'undeliverable') AS undeliverable
         FROM intake.status_callbacks WHERE state = 'pending'`,
    );
    return { queued: Number(row?.queued ?? 0), retrying: Number(row?.retrying ?? 0), undeliverable: Number(row?.undeliverable ?? 0) };
  }

  /** A restaurant's callbacks, newest first, optionally of one state or one order. */
  async list(restaurantId: string, filter: { state?: CallbackState; orderId?: string; limit: number }): Promise<CallbackRecord[]> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT ${RECORD_COLUMNS} FROM intake.status_callbacks
        WHERE restaurant_id = $1 AND ($2::text IS NULL OR state = $2) AND ($3::uuid IS NULL OR order_id = $3)
        ORDER BY seq DESC LIMIT $4`,
      [restaurantId, filter.state ?? null, filter.orderId ?? null, filter.limit],
    );
    return rows.map(toRecord);
  }

  async find(restaurantId: string, id: string): Promise<CallbackRecord | null> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT ${RECORD_COLUMNS} FROM intake.status_callbacks WHERE restaurant_id = $1 AND id = $2`,
      [restaurantId, id],
    );
    return rows.length === 0 ? null : toRecord(rows[0]);
  }

  /**
   * Puts an undeliverable callback back in the queue, due now, with a fresh lifetime and its backoff started
   * over. Null when the restaurant has no such callback, or it is not undeliverable.
   */
  async requeue(restaurantId: string, id: string): Promise<CallbackRecord | null> {
    const [rows]: [Array<Record<string, unknown>>, number] = await this.dataSource.query(
      `UPDATE intake.status_callbacks
          SET state = 'pending', attempts = 0, next_attempt_at = now(), pending_since = now(), updated_at = now()
        WHERE restaurant_id = $1 AND id = $2 AND state = 'undeliverable'
    RETURNING ${RECORD_COLUMNS}`,
      [restaurantId, id],
    );
    return rows.length === 0 ? null : toRecord(rows[0]);
  }
}
