import type { MigrationInterface, QueryRunner } from 'typeorm';
import { messagingTablesSql } from '#database';

export class Dispatch1763942400000 implements MigrationInterface {
  name = 'Dispatch1763942400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE dispatch.agencies (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      api_key_hash text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "UQ_dispatch_agencies_api_key_hash" UNIQUE (api_key_hash),
      CONSTRAINT "CHK_dispatch_agencies_name" CHECK (length(btrim(name)) BETWEEN 1 AND 200),
      CONSTRAINT "CHK_dispatch_agencies_api_key_hash" CHECK (api_key_hash ~ '^[0-9a-f]{64}$')
    )`);

    await q.query(`CREATE TABLE dispatch.riders (
      id uuid PRIMARY KEY,
      agency_id uuid NOT NULL CONSTRAINT "FK_dispatch_riders_agency" REFERENCES dispatch.agencies (id),
      name text NOT NULL,
      token_hash text NOT NULL,
      capacity integer NOT NULL DEFAULT 3,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "UQ_dispatch_riders_token_hash" UNIQUE (token_hash),
      CONSTRAINT "CHK_dispatch_riders_token_hash" CHECK (token_hash ~ '^[0-9a-f]{64}$'),
      CONSTRAINT "CHK_dispatch_riders_name" CHECK (length(btrim(name)) BETWEEN 1 AND 100),
      CONSTRAINT "CHK_dispatch_riders_capacity" CHECK (capacity > 0)
    )`);
    await q.query(`CREATE INDEX "IDX_dispatch_riders_agency_id" ON dispatch.riders (agency_id)`);

    // agency_id has no foreign key on purpose: an order.created event is a fact from order-intake, and a
    // delivery for an agency dispatch does not know yet is kept (and waits) rather than refused forever.
    await q.query(`CREATE TABLE dispatch.deliveries (
      id uuid PRIMARY KEY,
      order_id uuid NOT NULL,
      agency_id uuid NOT NULL,
      restaurant_id uuid NOT NULL,
      restaurant_name text NOT NULL,
      pickup_lng double precision NOT NULL,
      pickup_lat double precision NOT NULL,
      pickup_address text NOT NULL,
      dropoff_lng double precision NOT NULL,
      dropoff_lat double precision NOT NULL,
      dropoff_address text NOT NULL,
      dropoff_detail text,
      status text NOT NULL DEFAULT 'pending',
      fee jsonb,
      rider_id uuid CONSTRAINT "FK_dispatch_deliveries_rider" REFERENCES dispatch.riders (id),
      quote_attempts integer NOT NULL DEFAULT 0,
      next_quote_at timestamptz NOT NULL DEFAULT now(),
      quoted_at timestamptz,
      assigned_at timestamptz,
      picked_up_at timestamptz,
      delivered_at timestamptz,
      cancelled_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "UQ_dispatch_deliveries_order_id" UNIQUE (order_id),
      CONSTRAINT "CHK_dispatch_deliveries_status"
        CHECK (status IN ('pending', 'offered', 'assigned', 'picked_up', 'delivered', 'cancelled')),
      CONSTRAINT "CHK_dispatch_deliveries_rider"
        CHECK ((rider_id IS NOT NULL) = (status IN ('assigned', 'picked_up', 'delivered'))),
      CONSTRAINT "CHK_dispatch_deliveries_priced"
        CHECK (fee IS NOT NULL OR status IN ('pending', 'cancelled')),
      CONSTRAINT "CHK_dispatch_deliveries_fee"
        CHECK (fee IS NULL OR (jsonb_typeof(fee -> 'total') = 'number' AND (fee ->> 'total')::numeric >= 0)),
      CONSTRAINT "CHK_dispatch_deliveries_timestamps" CHECK (
        (status NOT IN ('assigned', 'picked_up', 'delivered') OR assigned_at IS NOT NULL)
        AND (status NOT IN ('picked_up', 'delivered') OR picked_up_at IS NOT NULL)
        AND (status <> 'delivered' OR delivered_at IS NOT NULL)
        AND (status <> 'cancelled' OR cancelled_at IS NOT NULL)
      )
    )`);
    await q.query(`CREATE INDEX "IDX_dispatch_deliveries_waiting" ON dispatch.deliveries (created_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX "IDX_dispatch_deliveries_agency_created" ON dispatch.deliveries (agency_id, created_at DESC)`);
    await q.query(
      `CREATE INDEX "IDX_dispatch_deliveries_rider_active" ON dispatch.deliveries (rider_id) WHERE status IN ('assigned', 'picked_up')`,
    );

    await q.query(`CREATE TABLE dispatch.offers (
      id uuid PRIMARY KEY,
      delivery_id uuid NOT NULL CONSTRAINT "FK_dispatch_offers_delivery" REFERENCES dispatch.deliveries (id),
      rider_id uuid NOT NULL CONSTRAINT "FK_dispatch_offers_rider" REFERENCES dispatch.riders (id),
      status text NOT NULL DEFAULT 'pending',
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      responded_at timestamptz,
      CONSTRAINT "UQ_dispatch_offers_delivery_rider" UNIQUE (delivery_id, rider_id),
      CONSTRAINT "CHK_dispatch_offers_status"
        CHECK (status IN ('pending', 'accepted', 'declined', 'expired', 'taken', 'withdrawn')),
      CONSTRAINT "CHK_dispatch_offers_responded" CHECK ((status = 'pending') = (responded_at IS NULL)),
      CONSTRAINT "CHK_dispatch_offers_expiry" CHECK (expires_at > created_at)
    )`);
    // A delivery is offered to one rider at a time, and accepted at most once.
    await q.query(`CREATE UNIQUE INDEX "UQ_dispatch_offers_one_pending" ON dispatch.offers (delivery_id) WHERE status = 'pending'`);
    await q.query(`CREATE UNIQUE INDEX "UQ_dispatch_offers_one_accepted" ON dispatch.offers (delivery_id) WHERE status = 'accepted'`);
    await q.query(`CREATE INDEX "IDX_dispatch_offers_rider_pending" ON dispatch.offers (rider_id) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX "IDX_dispatch_offers_pending_expiry" ON dispatch.offers (expires_at) WHERE status = 'pending'`);

    for (const sql of messagingTablesSql('dispatch')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE dispatch.inbox');
    await q.query('DROP TABLE dispatch.outbox');
    await q.query('DROP TABLE dispatch.offers');
    await q.query('DROP TABLE dispatch.deliveries');
    await q.query('DROP TABLE dispatch.riders');
    await q.query('DROP TABLE dispatch.agencies');
  }
}
