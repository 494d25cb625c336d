import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What riders' apps report that the server did not see happen: when an offer reached the app (`offer:seen`), and
 * when a pickup, delivery or failure happened by the device's clock, for a report sent after the network returned
 * (the log keeps the time it was received in `at`).
 */
export class DispatchRiderReceipts1765400000000 implements MigrationInterface {
  name = 'DispatchRiderReceipts1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dispatch.offers ADD COLUMN seen_at timestamptz`);
    await q.query(`CREATE INDEX "IDX_dispatch_offers_pending_unseen" ON dispatch.offers (created_at) WHERE status = 'pending' AND seen_at IS NULL`);
    await q.query(`ALTER TABLE dispatch.delivery_transitions ADD COLUMN reported_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dispatch.delivery_transitions DROP COLUMN reported_at`);
    await q.query(`DROP INDEX dispatch."IDX_dispatch_offers_pending_unseen"`);
    await q.query(`ALTER TABLE dispatch.offers DROP COLUMN seen_at`);
  }
}
