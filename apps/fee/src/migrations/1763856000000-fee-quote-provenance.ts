import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Quotes keep the map chain's full provenance: cache hits, the detour factor's source, and every attempt. */
export class FeeQuoteProvenance1763856000000 implements MigrationInterface {
  name = 'FeeQuoteProvenance1763856000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE fee.quotes
      ADD COLUMN factor_source text CHECK (factor_source IN ('calibrated', 'default')),
      ADD COLUMN cached boolean NOT NULL DEFAULT false,
      ADD COLUMN attempts jsonb NOT NULL DEFAULT '[]'`);
    await q.query(`CREATE INDEX "IDX_fee_quotes_provider_created" ON fee.quotes (provider, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX fee."IDX_fee_quotes_provider_created"');
    await q.query('ALTER TABLE fee.quotes DROP COLUMN attempts, DROP COLUMN cached, DROP COLUMN factor_source');
  }
}
