import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rotating credentials with an overlap window: each credential keeps the one it replaced, and until when that one
 * still works (an end in the past: refused, but kept to tell its sender why). Intake's copy of agency keys follows
 * dispatch's rotations, newest version only. Restaurants' own rotations are recorded here.
 */
export class IntakeCredentialRotation1766000000000 implements MigrationInterface {
  name = 'IntakeCredentialRotation1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE intake.restaurants
      ADD COLUMN previous_webhook_secret text,
      ADD COLUMN previous_webhook_secret_until timestamptz,
      ADD COLUMN previous_api_key_hash text,
      ADD COLUMN previous_api_key_until timestamptz,
      ADD CONSTRAINT "CHK_intake_restaurants_previous_secret" CHECK ((previous_webhook_secret IS NULL) = (previous_webhook_secret_until IS NULL)),
      ADD CONSTRAINT "CHK_intake_restaurants_previous_key" CHECK ((previous_api_key_hash IS NULL) = (previous_api_key_until IS NULL))`);
    await q.query(`CREATE UNIQUE INDEX "UQ_intake_restaurants_previous_api_key_hash" ON intake.restaurants (previous_api_key_hash) WHERE previous_api_key_hash IS NOT NULL`);
    await q.query(`ALTER TABLE intake.agencies
      ADD COLUMN previous_api_key_hash text,
      ADD COLUMN previous_api_key_until timestamptz,
      ADD COLUMN key_version integer NOT NULL DEFAULT 0`);
    await q.query(`CREATE INDEX "IDX_intake_agencies_previous_api_key_hash" ON intake.agencies (previous_api_key_hash) WHERE previous_api_key_hash IS NOT NULL`);
    await q.query(`CREATE TABLE intake.credential_rotations (
      id bigserial PRIMARY KEY,
      restaurant_id uuid NOT NULL,
      credential text NOT NULL CONSTRAINT "CHK_intake_credential_rotations_credential" CHECK (credential IN ('webhook-secret', 'api-key')),
      rotated_by text NOT NULL,
      rotated_at timestamptz NOT NULL DEFAULT now(),
      previous_until timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX "IDX_intake_credential_rotations_restaurant" ON intake.credential_rotations (restaurant_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE intake.credential_rotations');
    await q.query('ALTER TABLE intake.agencies DROP COLUMN previous_api_key_hash, DROP COLUMN previous_api_key_until, DROP COLUMN key_version');
    await q.query(`ALTER TABLE intake.restaurants DROP COLUMN previous_webhook_secret, DROP COLUMN previous_webhook_secret_until,
      DROP COLUMN previous_api_key_hash, DROP COLUMN previous_api_key_until`);
  }
}
