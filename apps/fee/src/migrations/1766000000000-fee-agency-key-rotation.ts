import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Fee's copy of agency keys follows dispatch's rotations: the key replaced, until when it works, newest version only. */
export class FeeAgencyKeyRotation1766000000000 implements MigrationInterface {
  name = 'FeeAgencyKeyRotation1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE fee.agencies
      ADD COLUMN previous_api_key_hash text,
      ADD COLUMN previous_api_key_until timestamptz,
      ADD COLUMN key_version integer NOT NULL DEFAULT 0`);
    await q.query(`CREATE INDEX "IDX_fee_agencies_previous_api_key_hash" ON fee.agencies (previous_api_key_hash) WHERE previous_api_key_hash IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE fee.agencies DROP COLUMN previous_api_key_hash, DROP COLUMN previous_api_key_until, DROP COLUMN key_version');
  }
}
