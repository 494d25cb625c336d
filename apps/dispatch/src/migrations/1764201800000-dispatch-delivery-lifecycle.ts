import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The delivery lifecycle: a `failed` final status (a trip under way that could not be finished; the rider who
 * failed it stays on the row), the agency's dispatch hold, and a log of every status change with its actor.
 * Deliveries that exist already get one log row for the status they are in, so every delivery has a last step.
 */
export class DispatchDeliveryLifecycle1764201800000 implements MigrationInterface {
  name = 'DispatchDeliveryLifecycle1764201800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dispatch.deliveries
      ADD COLUMN failed_at timestamptz,
      ADD COLUMN failure_reason text,
      ADD COLUMN dispatch_hold boolean NOT NULL DEFAULT false,
      DROP CONSTRAINT "CHK_dispatch_deliveries_status",
      ADD CONSTRAINT "CHK_dispatch_deliveries_status"
        CHECK (status IN ('pending', 'offered', 'assigned', 'picked_up', 'delivered', 'cancelled', 'failed')),
      DROP CONSTRAINT "CHK_dispatch_deliveries_rider",
      ADD CONSTRAINT "CHK_dispatch_deliveries_rider"
        CHECK ((rider_id IS NOT NULL) = (status IN ('assigned', 'picked_up', 'delivered', 'failed'))),
      ADD CONSTRAINT "CHK_dispatch_deliveries_failed"
        CHECK ((status = 'failed') = (failed_at IS NOT NULL AND failure_reason IS NOT NULL)),
      ADD CONSTRAINT "CHK_dispatch_deliveries_hold" CHECK (NOT dispatch_hold OR status = 'pending')`);

    await q.query(`CREATE TABLE dispatch.delivery_transitions (
      id uuid PRIMARY KEY,
      -- Steps made in one transaction share their time; seq keeps the order they were made in.
      seq bigint GENERATED ALWAYS AS IDENTITY,
      delivery_id uuid NOT NULL CONSTRAINT "FK_dispatch_delivery_transitions_delivery" REFERENCES dispatch.deliveries (id),
      from_status text,
      to_status text NOT NULL,
      actor_type text NOT NULL,
      actor_id uuid,
      rider_id uuid,
      reason text,
      at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "CHK_dispatch_delivery_transitions_actor" CHECK (actor_type IN ('system', 'rider', 'agency', 'restaurant')),
      CONSTRAINT "CHK_dispatch_delivery_transitions_actor_id" CHECK ((actor_type = 'system') = (actor_id IS NULL))
    )`);
    await q.query(`CREATE INDEX "IDX_dispatch_delivery_transitions_delivery" ON dispatch.delivery_transitions (delivery_id, seq)`);

    await q.query(`INSERT INTO dispatch.delivery_transitions (id, delivery_id, from_status, to_status, actor_type, actor_id, rider_id, reason, at)
      SELECT gen_random_uuid(), id, NULL, status, 'system', NULL, rider_id, 'status before the log was kept',
             coalesce(cancelled_at, delivered_at, picked_up_at, assigned_at, created_at)
        FROM dispatch.deliveries`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE dispatch.delivery_transitions');
    await q.query(`ALTER TABLE dispatch.deliveries
      DROP CONSTRAINT "CHK_dispatch_deliveries_hold",
      DROP CONSTRAINT "CHK_dispatch_deliveries_failed",
      DROP CONSTRAINT "CHK_dispatch_deliveries_rider",
      ADD CONSTRAINT "CHK_dispatch_deliveries_rider"
        CHECK ((rider_id IS NOT NULL) = (status IN ('assigned', 'picked_up', 'delivered'))),
      DROP CONSTRAINT "CHK_dispatch_deliveries_status",
      ADD CONSTRAINT "CHK_dispatch_deliveries_status"
        CHECK (status IN ('pending', 'offered', 'assigned', 'picked_up', 'delivered', 'cancelled')),
      DROP COLUMN dispatch_hold,
      DROP COLUMN failure_reason,
      DROP COLUMN failed_at`);
  }
}
