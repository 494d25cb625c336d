import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The board's text search (`q`): the restaurant's own order id kept beside each delivery, and trigram indexes
 * (pg_trgm, in PostgreSQL's contrib, shipped with the embedded server too) so `ILIKE '%…%'` on the external id and
 * both addresses is answered from an index rather than a scan of the agency's day.
 */
export class DispatchBoardSearch1765900000000 implements MigrationInterface {
  name = 'DispatchBoardSearch1765900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    await q.query('ALTER TABLE dispatch.deliveries ADD COLUMN external_order_id text');
    await q.query('CREATE INDEX "IDX_dispatch_deliveries_external_trgm" ON dispatch.deliveries USING gin (external_order_id gin_trgm_ops)');
    await q.query('CREATE INDEX "IDX_dispatch_deliveries_pickup_trgm" ON dispatch.deliveries USING gin (pickup_address gin_trgm_ops)');
    await q.query('CREATE INDEX "IDX_dispatch_deliveries_dropoff_trgm" ON dispatch.deliveries USING gin (dropoff_address gin_trgm_ops)');
    await q.query('CREATE INDEX "IDX_dispatch_deliveries_order_text_trgm" ON dispatch.deliveries USING gin ((order_id::text) gin_trgm_ops)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX dispatch."IDX_dispatch_deliveries_order_text_trgm"');
    await q.query('DROP INDEX dispatch."IDX_dispatch_deliveries_dropoff_trgm"');
    await q.query('DROP INDEX dispatch."IDX_dispatch_deliveries_pickup_trgm"');
    await q.query('DROP INDEX dispatch."IDX_dispatch_deliveries_external_trgm"');
    await q.query('ALTER TABLE dispatch.deliveries DROP COLUMN external_order_id');
  }
}
