import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a restaurant last said of a delivery's ready time after sending its order ("ready now", "delayed"), and
 * when it said it, so the board and the rider can show it and a change that arrives late does not undo a newer one.
 */
export class DispatchDeliveryReadyChange1765200000000 implements MigrationInterface {
  name = 'DispatchDeliveryReadyChange1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dispatch.deliveries ADD COLUMN ready_change text, ADD COLUMN ready_changed_at timestamptz,
      ADD CONSTRAINT "CHK_dispatch_deliveries_ready_change"
        CHECK ((ready_change IS NULL) = (ready_changed_at IS NULL) AND (ready_change IS NULL OR ready_change IN ('ready', 'delayed')))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE dispatch.deliveries DROP COLUMN ready_change, DROP COLUMN ready_changed_at');
  }
}
