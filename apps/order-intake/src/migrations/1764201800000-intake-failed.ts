import type { MigrationInterface, QueryRunner } from 'typeorm';

/** An order whose delivery failed (under way, could not be finished) ends in `failed`, final like `cancelled`. */
export class IntakeFailed1764201800000 implements MigrationInterface {
  name = 'IntakeFailed1764201800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE intake.orders
      DROP CONSTRAINT "CHK_intake_orders_status",
      ADD CONSTRAINT "CHK_intake_orders_status"
        CHECK (status IN ('locating', 'received', 'quoted', 'assigned', 'picked_up', 'delivered', 'cancelled', 'failed'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE intake.orders
      DROP CONSTRAINT "CHK_intake_orders_status",
      ADD CONSTRAINT "CHK_intake_orders_status"
        CHECK (status IN ('locating', 'received', 'quoted', 'assigned', 'picked_up', 'delivered', 'cancelled'))`);
  }
}
