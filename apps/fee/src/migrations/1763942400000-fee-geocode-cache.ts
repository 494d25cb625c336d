import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Geocodes persisted, so addresses seen before still resolve while Kakao and Naver are down. */
export class FeeGeocodeCache1763942400000 implements MigrationInterface {
  name = 'FeeGeocodeCache1763942400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE fee.geocode_cache (
      address_key text NOT NULL,
      address text NOT NULL,
      lng double precision NOT NULL,
      lat double precision NOT NULL,
      provider text NOT NULL,
      geocoded_at timestamptz NOT NULL,
      CONSTRAINT "PK_fee_geocode_cache" PRIMARY KEY (address_key)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE fee.geocode_cache');
  }
}
