import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Agency tariffs, versioned; quotes that record the version and rider pay they were priced with; the charges
 * dispatch reports (a delivery's quote frozen at assignment); and the adjustments reconciliation adds beside an
 * estimated quote, which itself is never rewritten.
 */
export class FeeTariffs1764028800000 implements MigrationInterface {
  name = 'FeeTariffs1764028800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE fee.agencies (
      id uuid NOT NULL,
      name text NOT NULL,
      api_key_hash text NOT NULL,
      registered_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "PK_fee_agencies" PRIMARY KEY (id),
      CONSTRAINT "UQ_fee_agencies_api_key_hash" UNIQUE (api_key_hash),
      CONSTRAINT "CHK_fee_agencies_api_key_hash" CHECK (api_key_hash ~ '^[0-9a-f]{64}$')
    )`);
    await q.query(`CREATE TABLE fee.tariff_versions (
      agency_id uuid NOT NULL,
      version integer NOT NULL,
      effective_from timestamptz NOT NULL,
      tariff jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "PK_fee_tariff_versions" PRIMARY KEY (agency_id, version),
      CONSTRAINT "FK_fee_tariff_versions_agency" FOREIGN KEY (agency_id) REFERENCES fee.agencies (id),
      CONSTRAINT "CHK_fee_tariff_versions_version" CHECK (version >= 1)
    )`);
    await q.query(`CREATE INDEX "IDX_fee_tariff_versions_in_force" ON fee.tariff_versions (agency_id, effective_from DESC, version DESC)`);

    await q.query(`ALTER TABLE fee.quotes
      ADD COLUMN tariff_version integer,
      ADD COLUMN priced_at timestamptz,
      ADD COLUMN distance_basis text NOT NULL DEFAULT 'route' CHECK (distance_basis IN ('route', 'straight')),
      ADD COLUMN rider_pay integer CHECK (rider_pay >= 0),
      ADD COLUMN rider_pay_items jsonb`);
    await q.query('UPDATE fee.quotes SET priced_at = created_at');
    await q.query('ALTER TABLE fee.quotes ALTER COLUMN priced_at SET NOT NULL');

    await q.query(`CREATE TABLE fee.charges (
      delivery_id uuid NOT NULL,
      order_id uuid NOT NULL,
      agency_id uuid NOT NULL,
      restaurant_id uuid NOT NULL,
      quote_id uuid NOT NULL,
      rider_id uuid,
      stage text NOT NULL CHECK (stage IN ('assigned', 'picked_up', 'delivered', 'cancelled')),
      assigned_at timestamptz,
      delivered_at timestamptz,
      cancelled_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "PK_fee_charges" PRIMARY KEY (delivery_id),
      CONSTRAINT "FK_fee_charges_quote" FOREIGN KEY (quote_id) REFERENCES fee.quotes (id)
    )`);
    await q.query(`CREATE INDEX "IDX_fee_charges_agency_delivered" ON fee.charges (agency_id, delivered_at) WHERE stage = 'delivered'`);
    await q.query(`CREATE INDEX "IDX_fee_charges_quote" ON fee.charges (quote_id)`);

    await q.query(`CREATE TABLE fee.quote_adjustments (
      quote_id uuid NOT NULL,
      agency_id uuid NOT NULL,
      provider text NOT NULL,
      distance_meters integer NOT NULL CHECK (distance_meters >= 0),
      duration_seconds integer NOT NULL CHECK (duration_seconds >= 0),
      attempts jsonb NOT NULL,
      total integer NOT NULL CHECK (total >= 0),
      items jsonb NOT NULL,
      rider_pay integer NOT NULL CHECK (rider_pay >= 0),
      rider_pay_items jsonb NOT NULL,
      fee_difference integer NOT NULL,
      rider_pay_difference integer NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "PK_fee_quote_adjustments" PRIMARY KEY (quote_id),
      CONSTRAINT "FK_fee_quote_adjustments_quote" FOREIGN KEY (quote_id) REFERENCES fee.quotes (id)
    )`);
    await q.query(`CREATE INDEX "IDX_fee_quote_adjustments_agency_created" ON fee.quote_adjustments (agency_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE fee.quote_adjustments');
    await q.query('DROP TABLE fee.charges');
    await q.query(`ALTER TABLE fee.quotes DROP COLUMN rider_pay_items, DROP COLUMN rider_pay, DROP COLUMN distance_basis,
      DROP COLUMN priced_at, DROP COLUMN tariff_version`);
    await q.query('DROP TABLE fee.tariff_versions');
    await q.query('DROP TABLE fee.agencies');
  }
}
