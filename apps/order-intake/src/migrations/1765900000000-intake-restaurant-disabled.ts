import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A restaurant its agency disabled: its webhooks and API key are refused until the agency enables it again. */
export class IntakeRestaurantDisabled1765900000000 implements MigrationInterface {
  name = 'IntakeRestaurantDisabled1765900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE intake.restaurants ADD COLUMN disabled_at timestamptz');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE intake.restaurants DROP COLUMN disabled_at');
  }
}
