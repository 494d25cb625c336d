import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Charged estimated quotes that reconciliation could not re-price for a reason a healthy provider does not cure
 * (no road route for the trip, the tariff version missing, the tariff refusing the trip): how often it was
 * tried, why it failed last, and when it may be tried again (never, once `next_try_at` is null), so such a
 * quote neither stays hidden in the logs nor spends every pass's provider budget.
 */
export class FeeQuoteReconcileFailures1764288000000 implements MigrationInterface {
  name = 'FeeQuoteReconcileFailures1764288000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE fee.quote_reconcile_failures (
      quote_id uuid NOT NULL,
      reason text NOT NULL CHECK (reason IN ('no_real_route', 'tariff_version_missing', 'not_priced')),
      detail text NOT NULL,
      attempts jsonb NOT NULL,
      tries integer NOT NULL CHECK (tries >= 1),
      first_failed_at timestamptz NOT NULL,
      last_tried_at timestamptz NOT NULL,
      next_try_at timestamptz,
      CONSTRAINT "PK_fee_quote_reconcile_failures" PRIMARY KEY (quote_id),
      CONSTRAINT "FK_fee_quote_reconcile_failures_quote" FOREIGN KEY (quote_id) REFERENCES fee.quotes (id)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE fee.quote_reconcile_failures');
  }
}
