import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Orders that arrive with an address and no coordinates wait in `locating` until fee's map chain places them:
 * who placed the dropoff, how many tries so far, the last error and when the next try is due.
 */
export class IntakeLocating1763942400000 implements MigrationInterface {
  name = 'IntakeLocating1763942400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE intake.orders
      DROP CONSTRAINT orders_status_check,
      ADD CONSTRAINT "CHK_intake_orders_status"
        CHECK (status IN ('locating', 'received', 'quoted', 'assigned', 'picked_up', 'delivered', 'cancelled')),
      ADD COLUMN dropoff_geocoded_by text,
      ADD COLUMN locate_attempts integer NOT NULL DEFAULT 0,
      ADD COLUMN last_locate_error jsonb,
      ADD COLUMN next_locate_at timestamptz,
      ADD CONSTRAINT "CHK_intake_orders_located"
        CHECK (status IN ('locating', 'cancelled') OR dropoff_lng IS NOT NULL),
      ADD CONSTRAINT "CHK_intake_orders_locating_due" CHECK (status <> 'locating' OR next_locate_at IS NOT NULL)`);
    // The locator's queue: only orders still locating, by when they are due.
    await q.query(`CREATE INDEX "IDX_intake_orders_locating_due" ON intake.orders (next_locate_at) WHERE status = 'locating'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX intake."IDX_intake_orders_locating_due"');
    await q.query(`ALTER TABLE intake.orders
      DROP CONSTRAINT "CHK_intake_orders_locating_due",
      DROP CONSTRAINT "CHK_intake_orders_located",
      DROP COLUMN next_locate_at,
      DROP COLUMN last_locate_error,
      DROP COLUMN locate_attempts,
      DROP COLUMN dropoff_geocoded_by,
      DROP CONSTRAINT "CHK_intake_orders_status",
      ADD CONSTRAINT orders_status_check
        CHECK (status IN ('received', 'quoted', 'assigned', 'picked_up', 'delivered', 'cancelled'))`);
  }
}
