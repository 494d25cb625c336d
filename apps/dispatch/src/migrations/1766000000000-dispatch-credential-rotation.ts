import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rotating agency keys and rider tokens with an overlap window: each keeps the hash it replaced and until when that
 * one still works. `key_version` orders an agency's rotations for the copies fee and intake keep.
 */
export class DispatchCredentialRotation1766000000000 implements MigrationInterface {
  name = 'DispatchCredentialRotation1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dispatch.agencies
      ADD COLUMN previous_api_key_hash text,
      ADD COLUMN previous_api_key_until timestamptz,
      ADD COLUMN key_version integer NOT NULL DEFAULT 0,
      ADD CONSTRAINT "CHK_dispatch_agencies_previous_key" CHECK ((previous_api_key_hash IS NULL) = (previous_api_key_until IS NULL))`);
    await q.query(`CREATE UNIQUE INDEX "UQ_dispatch_agencies_previous_api_key_hash" ON dispatch.agencies (previous_api_key_hash) WHERE previous_api_key_hash IS NOT NULL`);
    await q.query(`ALTER TABLE dispatch.riders
      ADD COLUMN previous_token_hash text,
      ADD COLUMN previous_token_until timestamptz,
      ADD CONSTRAINT "CHK_dispatch_riders_previous_token" CHECK ((previous_token_hash IS NULL) = (previous_token_until IS NULL))`);
    await q.query(`CREATE UNIQUE INDEX "UQ_dispatch_riders_previous_token_hash" ON dispatch.riders (previous_token_hash) WHERE previous_token_hash IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE dispatch.riders DROP COLUMN previous_token_hash, DROP COLUMN previous_token_until');
    await q.query('ALTER TABLE dispatch.agencies DROP COLUMN previous_api_key_hash, DROP COLUMN previous_api_key_until, DROP COLUMN key_version');
  }
}
