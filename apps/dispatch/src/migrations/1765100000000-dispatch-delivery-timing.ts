import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When each delivery's food is ready and when it was promised, as the restaurant said (or its default). Null on
 * deliveries created before times were kept: they are taken as ready when they arrived, with no promise.
 */
export class DispatchDeliveryTiming1765100000000 implements MigrationInterface {
  name = 'DispatchDeliveryTiming1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dispatch.deliveries ADD COLUMN ready_at timestamptz, ADD COLUMN promised_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dispatch.deliveries DROP COLUMN ready_at, DROP COLUMN promised_at`);
  }
}
