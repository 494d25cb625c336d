import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A rider the agency disabled: its token is refused until the agency enables it again. */
export class DispatchRiderDisabled1765600100000 implements MigrationInterface {
  name = 'DispatchRiderDisabled1765600100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE dispatch.riders ADD COLUMN disabled_at timestamptz');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE dispatch.riders DROP COLUMN disabled_at');
  }
}
