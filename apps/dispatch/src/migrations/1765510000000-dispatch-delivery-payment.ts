import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the rider needs at the door: the customer's phone and what to collect (cash or card on delivery), and
 * whether the agency entered the order by hand. Deliveries from before keep nulls: nothing was said.
 */
export class DispatchDeliveryPayment1765510000000 implements MigrationInterface {
  name = 'DispatchDeliveryPayment1765510000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dispatch.deliveries
      ADD COLUMN customer_phone text,
      ADD COLUMN payment_method text CONSTRAINT "CHK_dispatch_deliveries_payment_method" CHECK (payment_method IN ('prepaid', 'cash', 'card')),
      ADD COLUMN payment_collect_amount integer,
      ADD COLUMN entered_by text NOT NULL DEFAULT 'restaurant' CONSTRAINT "CHK_dispatch_deliveries_entered_by" CHECK (entered_by IN ('restaurant', 'operator')),
      ADD CONSTRAINT "CHK_dispatch_deliveries_payment_collect" CHECK ((payment_method IS NULL) = (payment_collect_amount IS NULL))`);
    // The board searches a whole day of an agency's deliveries, newest first, by these.
    await q.query(`CREATE INDEX "IDX_dispatch_deliveries_agency_phone" ON dispatch.deliveries
      (agency_id, right(regexp_replace(customer_phone, '[^0-9]', '', 'g'), 4), created_at)`);
    await q.query(`CREATE INDEX "IDX_dispatch_deliveries_agency_restaurant" ON dispatch.deliveries (agency_id, restaurant_id, created_at)`);
    await q.query(`CREATE INDEX "IDX_dispatch_deliveries_agency_rider" ON dispatch.deliveries (agency_id, rider_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX dispatch."IDX_dispatch_deliveries_agency_phone", dispatch."IDX_dispatch_deliveries_agency_restaurant", dispatch."IDX_dispatch_deliveries_agency_rider"');
    await q.query(`ALTER TABLE dispatch.deliveries DROP CONSTRAINT "CHK_dispatch_deliveries_payment_collect",
      DROP COLUMN customer_phone, DROP COLUMN payment_method, DROP COLUMN payment_collect_amount, DROP COLUMN entered_by`);
  }
}
