import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The undeliverable callbacks, for `/metrics` to count them without reading every callback ever sent. */
export class IntakeCallbackBacklog1765000000000 implements MigrationInterface {
  name = 'IntakeCallbackBacklog1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "IDX_intake_status_callbacks_undeliverable" ON intake.status_callbacks (restaurant_id) WHERE state = 'undeliverable'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX intake."IDX_intake_status_callbacks_undeliverable"');
  }
}
