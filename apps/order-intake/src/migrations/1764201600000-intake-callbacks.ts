import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signed status callbacks: where a restaurant wants them (`restaurants.callback_url`, none by default), and the
 * queue of callbacks to send, written in the same transaction as the status change each one reports.
 */
export class IntakeCallbacks1764201600000 implements MigrationInterface {
  name = 'IntakeCallbacks1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE intake.restaurants ADD COLUMN callback_url text');
    // `seq` orders one order's callbacks: they are written under the order's row lock, so in commit order.
    // `status` is not checked against the list of order statuses: the orders table already does that.
    await q.query(`CREATE TABLE intake.status_callbacks (
      id uuid PRIMARY KEY,
      seq bigint GENERATED ALWAYS AS IDENTITY,
      webhook_id text NOT NULL,
      restaurant_id uuid NOT NULL REFERENCES intake.restaurants (id),
      order_id uuid NOT NULL REFERENCES intake.orders (id),
      status text NOT NULL,
      payload jsonb NOT NULL,
      state text NOT NULL DEFAULT 'pending',
      attempts integer NOT NULL DEFAULT 0,
      last_attempt_at timestamptz,
      last_response_status integer,
      last_error text,
      next_attempt_at timestamptz DEFAULT now(),
      pending_since timestamptz NOT NULL DEFAULT now(),
      delivered_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "UQ_intake_status_callbacks_webhook_id" UNIQUE (webhook_id),
      CONSTRAINT "UQ_intake_status_callbacks_seq" UNIQUE (seq),
      CONSTRAINT "CHK_intake_status_callbacks_state" CHECK (state IN ('pending', 'delivered', 'undeliverable')),
      CONSTRAINT "CHK_intake_status_callbacks_due" CHECK (state <> 'pending' OR next_attempt_at IS NOT NULL)
    )`);
    // The sender's queue: pending callbacks by when they are due.
    await q.query(`CREATE INDEX "IDX_intake_status_callbacks_due" ON intake.status_callbacks (next_attempt_at) WHERE state = 'pending'`);
    // "Is an earlier callback of this order still pending?", asked for every due callback.
    await q.query(`CREATE INDEX "IDX_intake_status_callbacks_order_pending" ON intake.status_callbacks (order_id, seq) WHERE state = 'pending'`);
    // The restaurant's view, newest first, by state.
    await q.query(`CREATE INDEX "IDX_intake_status_callbacks_restaurant" ON intake.status_callbacks (restaurant_id, state, seq DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE intake.status_callbacks');
    await q.query('ALTER TABLE intake.restaurants DROP COLUMN callback_url');
  }
}
