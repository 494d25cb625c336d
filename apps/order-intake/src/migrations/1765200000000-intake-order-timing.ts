import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When an order's food is ready and when it was promised, each restaurant's usual cooking time, and the history of
 * what the restaurant said later ("ready now", "delayed"). Orders accepted before keep null times: dispatch takes
 * them as ready when they arrived.
 */
export class IntakeOrderTiming1765200000000 implements MigrationInterface {
  name = 'IntakeOrderTiming1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE intake.restaurants ADD COLUMN default_cooking_minutes integer,
      ADD CONSTRAINT "CHK_intake_restaurants_default_cooking_minutes" CHECK (default_cooking_minutes BETWEEN 0 AND 240)`);
    await q.query('ALTER TABLE intake.orders ADD COLUMN ready_at timestamptz, ADD COLUMN promised_at timestamptz');
    await q.query(`CREATE TABLE intake.order_timing_changes (
      id uuid PRIMARY KEY,
      order_id uuid NOT NULL CONSTRAINT "FK_intake_order_timing_changes_order" REFERENCES intake.orders (id),
      change text NOT NULL CONSTRAINT "CHK_intake_order_timing_changes_change" CHECK (change IN ('ready', 'delayed')),
      delay_minutes integer,
      ready_at timestamptz NOT NULL,
      webhook_id text NOT NULL,
      at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "CHK_intake_order_timing_changes_delay" CHECK ((change = 'delayed') = (delay_minutes IS NOT NULL))
    )`);
    await q.query(`CREATE INDEX "IDX_intake_order_timing_changes_order" ON intake.order_timing_changes (order_id, at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE intake.order_timing_changes');
    await q.query('ALTER TABLE intake.orders DROP COLUMN ready_at, DROP COLUMN promised_at');
    await q.query('ALTER TABLE intake.restaurants DROP COLUMN default_cooking_minutes');
  }
}
