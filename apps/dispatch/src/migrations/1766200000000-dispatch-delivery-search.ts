import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The board's text search moves off the deliveries table: a delivery's row is rewritten at every step of its life
 * (priced, offered, assigned, picked up, delivered, its planner's decision), and a rewrite that is not HOT adds an
 * entry to every index of the table, four trigram indexes included. What the search looks in (the order id, the
 * restaurant's own id, both addresses) never changes, so it is written once, with the delivery, to
 * `dispatch.delivery_search`, whose one trigram index is never touched again. The riders' names are matched on
 * the riders table as before.
 */
export class DispatchDeliverySearch1766200000000 implements MigrationInterface {
  name = 'DispatchDeliverySearch1766200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE dispatch.delivery_search (
      delivery_id uuid PRIMARY KEY CONSTRAINT "FK_dispatch_delivery_search_delivery" REFERENCES dispatch.deliveries (id),
      agency_id uuid NOT NULL,
      -- The searched fields, joined by the unit separator (which no one types).
      haystack text NOT NULL
    )`);
    await q.query(`INSERT INTO dispatch.delivery_search (delivery_id, agency_id, haystack)
      SELECT id, agency_id, concat_ws(chr(31), order_id::text, external_order_id, pickup_address, dropoff_address) FROM dispatch.deliveries`);
    await q.query('CREATE INDEX "IDX_dispatch_delivery_search_trgm" ON dispatch.delivery_search USING gin (haystack gin_trgm_ops)');
    await q.query('DROP INDEX dispatch."IDX_dispatch_deliveries_order_text_trgm"');
    await q.query('DROP INDEX dispatch."IDX_dispatch_deliveries_dropoff_trgm"');
    await q.query('DROP INDEX dispatch."IDX_dispatch_deliveries_pickup_trgm"');
    await q.query('DROP INDEX dispatch."IDX_dispatch_deliveries_external_trgm"');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX "IDX_dispatch_deliveries_external_trgm" ON dispatch.deliveries USING gin (external_order_id gin_trgm_ops)');
    await q.query('CREATE INDEX "IDX_dispatch_deliveries_pickup_trgm" ON dispatch.deliveries USING gin (pickup_address gin_trgm_ops)');
    await q.query('CREATE INDEX "IDX_dispatch_deliveries_dropoff_trgm" ON dispatch.deliveries USING gin (dropoff_address gin_trgm_ops)');
    await q.query('CREATE INDEX "IDX_dispatch_deliveries_order_text_trgm" ON dispatch.deliveries USING gin ((order_id::text) gin_trgm_ops)');
    await q.query('DROP TABLE dispatch.delivery_search');
  }
}
