import type { MigrationInterface, QueryRunner } from 'typeorm';
import { messagingTablesSql } from '#database';

export class IntakeOrders1763856000000 implements MigrationInterface {
  name = 'IntakeOrders1763856000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE intake.restaurants (
      id uuid PRIMARY KEY,
      agency_id uuid NOT NULL,
      name text NOT NULL,
      address text NOT NULL,
      lng double precision NOT NULL,
      lat double precision NOT NULL,
      webhook_secret text NOT NULL,
      api_key_hash text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "UQ_intake_restaurants_api_key_hash" UNIQUE (api_key_hash)
    )`);
    await q.query(`CREATE INDEX "IDX_intake_restaurants_agency_id" ON intake.restaurants (agency_id)`);

    // Coordinates are nullable for orders that arrive with an address only, once geocoding exists.
    await q.query(`CREATE TABLE intake.orders (
      id uuid PRIMARY KEY,
      restaurant_id uuid NOT NULL REFERENCES intake.restaurants (id),
      external_order_id text NOT NULL,
      request_hash text NOT NULL,
      status text NOT NULL CHECK (status IN ('received', 'quoted', 'assigned', 'picked_up', 'delivered', 'cancelled')),
      dropoff_address text NOT NULL,
      dropoff_lng double precision,
      dropoff_lat double precision,
      dropoff_detail text,
      customer_phone text,
      items jsonb NOT NULL,
      order_amount integer NOT NULL CHECK (order_amount >= 0),
      note text,
      fee jsonb,
      rider_id uuid,
      rider_name text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "UQ_intake_orders_restaurant_external_order_id" UNIQUE (restaurant_id, external_order_id),
      CONSTRAINT "CHK_intake_orders_dropoff_point" CHECK ((dropoff_lng IS NULL) = (dropoff_lat IS NULL))
    )`);

    await q.query(`CREATE TABLE intake.order_status_changes (
      order_id uuid NOT NULL REFERENCES intake.orders (id),
      status text NOT NULL,
      at timestamptz NOT NULL,
      CONSTRAINT "PK_intake_order_status_changes" PRIMARY KEY (order_id, status)
    )`);

    // The first answer to each webhook-id, replayed to redeliveries. Only accepted requests leave one.
    await q.query(`CREATE TABLE intake.webhook_receipts (
      restaurant_id uuid NOT NULL REFERENCES intake.restaurants (id),
      webhook_id text NOT NULL,
      status_code integer NOT NULL,
      response_body jsonb NOT NULL,
      order_id uuid,
      received_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "PK_intake_webhook_receipts" PRIMARY KEY (restaurant_id, webhook_id)
    )`);
    await q.query(`CREATE INDEX "IDX_intake_webhook_receipts_received_at" ON intake.webhook_receipts (received_at)`);

    for (const sql of messagingTablesSql('intake')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE intake.inbox');
    await q.query('DROP TABLE intake.outbox');
    await q.query('DROP TABLE intake.webhook_receipts');
    await q.query('DROP TABLE intake.order_status_changes');
    await q.query('DROP TABLE intake.orders');
    await q.query('DROP TABLE intake.restaurants');
  }
}
