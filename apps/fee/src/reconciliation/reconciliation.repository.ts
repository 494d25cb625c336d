import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { FeeItem, RouteAttempt } from '#contracts';

/** An estimated quote a delivery was charged at, not yet reconciled. */
export interface PendingQuote {
  id: string;
  agencyId: string;
  tariffVersion: number;
  pricedAt: Date;
  createdAt: Date;
  pickup: { lng: number; lat: number };
  dropoff: { lng: number; lat: number };
  provider: string;
  distanceMeters: number;
  total: number;
  riderPay: number;
}

export interface NewAdjustment {
  quoteId: string;
  agencyId: string;
  provider: string;
  distanceMeters: number;
  durationSeconds: number;
  attempts: RouteAttempt[];
  total: number;
  items: FeeItem[];
  riderPay: number;
  riderPayItems: FeeItem[];
  feeDifference: number;
  riderPayDifference: number;
}

/** Why a pass could not re-price a quote although a real provider was asked or none needed asking. */
export type ReconcileFailureReason = 'no_real_route' | 'tariff_version_missing' | 'not_priced';

export interface NewReconcileFailure {
  quoteId: string;
  reason: ReconcileFailureReason;
  /** For a person reading the row: the providers' outcomes, or the tariff's message. */
  detail: string;
  attempts: RouteAttempt[];
}

/** When a failed quote is tried again: `firstRetryMs` after its first failure, doubling, until `maxTries`. */
export interface RetryPolicy {
  firstRetryMs: number;
  maxTries: number;
}

/** Where an agency's reconciliation stands, for its dashboard. */
export interface ReconciliationStatus {
  /**
   * Estimated quotes charged to a delivery (not cancelled) that reconciliation has not re-priced yet and has not
   * failed to re-price either: the ones waiting for a real provider.
   */
  pending: number;
  /** When the oldest of those was priced; null when none is pending. */
  oldestPricedAt: Date | null;
  /** Quotes like those that a pass failed to re-price (retried with backoff, then no more), not in `pending`. */
  failing: number;
  /** Adjustments made since midnight in Seoul. */
  adjustedToday: number;
}

/**
 * The quotes reconciliation is for, as a condition on `fee.quotes q`: estimated, charged to a delivery that was
 * not cancelled, not yet re-priced. Both the passes and the agency's status read them through this.
 */
const AWAITING_REAL_ROUTE = `q.estimated AND q.agency_id IS NOT NULL AND q.tariff_version IS NOT NULL
  AND EXISTS (SELECT 1 FROM fee.charges c WHERE c.quote_id = q.id AND c.stage <> 'cancelled')
  AND NOT EXISTS (SELECT 1 FROM fee.quote_adjustments a WHERE a.quote_id = q.id)`;

/** Named like the migration lock (`baecha-migrate-<schema>`), hashed to the advisory lock's key. */
const RECONCILE_LOCK = 'baecha-fee-reconcile';

@Injectable()
export class ReconciliationRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Runs `work` while this process holds the reconciliation lock, on a connection held for the whole pass, so
   * that one instance at a time reconciles; `{ locked: false }` when another holds it. The lock goes with the
   * connection, so a crashed instance never leaves it taken.
   */
  async whileLocked<T>(work: () => Promise<T>): Promise<{ locked: true; value: T } | { locked: false }> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }]: Array<{ locked: boolean }> = await runner.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [RECONCILE_LOCK]);
      if (!locked) return { locked: false };
      try {
        return { locked: true, value: await work() };
      } finally {
        await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [RECONCILE_LOCK]);
      }
    } finally {
      await runner.release();
    }
  }

  /**
   * Estimated quotes charged to a delivery that was not cancelled and not yet reconciled, oldest first, after
   * the `after` cursor (so a pass can step over a quote it could not re-price); a quote that failed before is
   * left out until its next try is due, and for good once none is.
   */
  async pending(limit: number, now: Date, after?: { createdAt: Date; id: string }): Promise<PendingQuote[]> {
    const rows: PendingRow[] = await this.dataSource.query(
      `SELECT q.id, q.agency_id, q.tariff_version, q.priced_at, q.created_at, q.pickup_lng, q.pickup_lat, q.dropoff_lng, q.dropoff_lat,
              q.provider, q.distance_meters, q.total, coalesce(q.rider_pay, 0) AS rider_pay
       FROM fee.quotes q
       WHERE ${AWAITING_REAL_ROUTE}
         AND NOT EXISTS (SELECT 1 FROM fee.quote_reconcile_failures f
                         WHERE f.quote_id = q.id AND (f.next_try_at IS NULL OR f.next_try_at > $2::timestamptz))
         AND ($3::timestamptz IS NULL OR (q.created_at, q.id) > ($3::timestamptz, $4::uuid))
       ORDER BY q.created_at, q.id
       LIMIT $1`,
      [limit, now, after?.createdAt ?? null, after?.id ?? null],
    );
    return rows.map((row) => ({
      id: row.id,
      agencyId: row.agency_id,
      tariffVersion: row.tariff_version,
      pricedAt: row.priced_at,
      createdAt: row.created_at,
      pickup: { lng: row.pickup_lng, lat: row.pickup_lat },
      dropoff: { lng: row.dropoff_lng, lat: row.dropoff_lat },
      provider: row.provider,
      distanceMeters: row.distance_meters,
      total: row.total,
      riderPay: row.rider_pay,
    }));
  }

  /**
   * The agency's estimated fees still awaiting a real route (those `pending` pages through, and those waiting
   * for their next try), split into never failed and failed, and today's adjustments.
   */
  async status(agencyId: string, now: Date): Promise<ReconciliationStatus> {
    const [row]: Array<{ pending: number; oldest_priced_at: Date | null; failing: number; adjusted_today: number }> = await this.dataSource.query(
      `WITH awaiting AS (
         SELECT q.priced_at, EXISTS (SELECT 1 FROM fee.quote_reconcile_failures f WHERE f.quote_id = q.id) AS failed
         FROM fee.quotes q
         WHERE q.agency_id = $1 AND ${AWAITING_REAL_ROUTE})
       SELECT count(*) FILTER (WHERE NOT failed)::int AS pending,
              min(priced_at) FILTER (WHERE NOT failed) AS oldest_priced_at,
              count(*) FILTER (WHERE failed)::int AS failing,
              (SELECT count(*)::int FROM fee.quote_adjustments a
               WHERE a.agency_id = $1
                 AND a.created_at >= (date_trunc('day', $2::timestamptz AT TIME ZONE 'Asia/Seoul') AT TIME ZONE 'Asia/Seoul')) AS adjusted_today
       FROM awaiting`,
      [agencyId, now],
    );
    return { pending: row.pending, oldestPricedAt: row.oldest_priced_at, failing: row.failing, adjustedToday: row.adjusted_today };
  }

  /**
   * Records that a pass failed to re-price the quote, counting the try, and schedules the next by `policy` (none
   * once `maxTries` tries have failed). Returns the tries so far and the next try, if any.
   */
  async recordFailure(failure: NewReconcileFailure, now: Date, policy: RetryPolicy): Promise<{ tries: number; nextTryAt: Date | null }> {
    const [row]: Array<{ tries: number; next_try_at: Date | null }> = await this.dataSource.query(
      `INSERT INTO fee.quote_reconcile_failures AS f
         (quote_id, reason, detail, attempts, tries, first_failed_at, last_tried_at, next_try_at)
       VALUES ($1, $2, $3, $4, 1, $5, $5, CASE WHEN $7::int <= 1 THEN NULL ELSE $5::timestamptz + $6::bigint * interval '1 millisecond' END)
       ON CONFLICT (quote_id) DO UPDATE SET
         reason = EXCLUDED.reason, detail = EXCLUDED.detail, attempts = EXCLUDED.attempts, tries = f.tries + 1,
         last_tried_at = EXCLUDED.last_tried_at,
         next_try_at = CASE WHEN f.tries + 1 >= $7::int THEN NULL
                            ELSE $5::timestamptz + $6::bigint * power(2, f.tries) * interval '1 millisecond' END
       RETURNING f.tries, f.next_try_at`,
      [failure.quoteId, failure.reason, failure.detail, JSON.stringify(failure.attempts), now, policy.firstRetryMs, policy.maxTries],
    );
    return { tries: row.tries, nextTryAt: row.next_try_at };
  }

  /** Adds the adjustment beside the quote (never touching the quote); false when one was already there. */
  async insertAdjustment(adjustment: NewAdjustment): Promise<boolean> {
    const a = adjustment;
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO fee.quote_adjustments
         (quote_id, agency_id, provider, distance_meters, duration_seconds, attempts, total, items, rider_pay, rider_pay_items,
          fee_difference, rider_pay_difference)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (quote_id) DO NOTHING RETURNING quote_id`,
      [
        a.quoteId,
        a.agencyId,
        a.provider,
        a.distanceMeters,
        a.durationSeconds,
        JSON.stringify(a.attempts),
        a.total,
        JSON.stringify(a.items),
        a.riderPay,
        JSON.stringify(a.riderPayItems),
        a.feeDifference,
        a.riderPayDifference,
      ],
    );
    return rows.length === 1;
  }
}

interface PendingRow {
  id: string;
  agency_id: string;
  tariff_version: number;
  priced_at: Date;
  created_at: Date;
  pickup_lng: number;
  pickup_lat: number;
  dropoff_lng: number;
  dropoff_lat: number;
  provider: string;
  distance_meters: number;
  total: number;
  rider_pay: number;
}
