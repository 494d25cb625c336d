import type { MigrationInterface, QueryRunner } from 'typeorm';
import { messagingTablesSql } from '#database';

export class FeeQuotes1763769600000 implements MigrationInterface {
  name = 'FeeQuotes1763769600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE fee.quotes (
      id uuid PRIMARY KEY,
      order_id text,
      agency_id uuid,
      pickup_lng double precision NOT NULL,
      pickup_lat double precision NOT NULL,
      dropoff_lng double precision NOT NULL,
      dropoff_lat double precision NOT NULL,
      distance_meters integer NOT NULL CHECK (distance_meters >= 0),
      duration_seconds integer NOT NULL CHECK (duration_seconds >= 0),
      provider text NOT NULL,
      estimated boolean NOT NULL,
      detour_factor numeric(4, 2),
      tariff text NOT NULL,
      total integer NOT NULL CHECK (total >= 0),
      items jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX "IDX_fee_quotes_order_id" ON fee.quotes (order_id)`);
    await q.query(`CREATE INDEX "IDX_fee_quotes_estimated_created" ON fee.quotes (created_at) WHERE estimated`);
    for (const sql of messagingTablesSql('fee')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE fee.inbox');
    await q.query('DROP TABLE fee.outbox');
    await q.query('DROP TABLE fee.quotes');
  }
}
