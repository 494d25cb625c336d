import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When the order's rider last changed (assigned, reassigned or taken back by the agency), so an event that
 * arrives late cannot put back a rider who is no longer on the order.
 */
export class IntakeRiderChanges1764201900000 implements MigrationInterface {
  name = 'IntakeRiderChanges1764201900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE intake.orders ADD COLUMN rider_changed_at timestamptz');
    await q.query(`UPDATE intake.orders o SET rider_changed_at = s.at
      FROM intake.order_status_changes s WHERE s.order_id = o.id AND s.status = 'assigned' AND o.rider_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE intake.orders DROP COLUMN rider_changed_at');
  }
}
