import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The constraint a rider's assignment beyond its capacity violates; the code maps it to RIDER_AT_CAPACITY. */
export const RIDER_CAPACITY_CONSTRAINT = 'CHK_dispatch_riders_active_within_capacity';

/**
 * The dispatch engine: per-agency offer policies (one rider at a time, or a broadcast to several, first accept
 * wins), each offer's score kept for the agency to read, deliveries offered before their fee is known and
 * flagged for manual dispatch when nobody takes them, and a rider's capacity enforced by the database itself.
 */
export class DispatchOfferPolicies1764201700000 implements MigrationInterface {
  name = 'DispatchOfferPolicies1764201700000';

  async up(q: QueryRunner): Promise<void> {
    // Null: the service's configured default applies (DISPATCH_OFFER_POLICY, DISPATCH_BROADCAST_SIZE,
    // OFFER_TIMEOUT_SECONDS), so changing a default reaches every agency that never chose.
    await q.query(`ALTER TABLE dispatch.agencies
      ADD COLUMN offer_policy text,
      ADD COLUMN broadcast_size integer,
      ADD COLUMN offer_timeout_seconds double precision,
      ADD CONSTRAINT "CHK_dispatch_agencies_offer_policy" CHECK (offer_policy IN ('sequential', 'broadcast')),
      ADD CONSTRAINT "CHK_dispatch_agencies_broadcast_size" CHECK (broadcast_size BETWEEN 1 AND 50),
      ADD CONSTRAINT "CHK_dispatch_agencies_offer_timeout" CHECK (offer_timeout_seconds > 0 AND offer_timeout_seconds <= 600)`);

    // A sequential offer is still the delivery's only open one; a broadcast has several at once. One accepted
    // offer per delivery stays unique for both.
    await q.query(`ALTER TABLE dispatch.offers
      ADD COLUMN broadcast boolean NOT NULL DEFAULT false,
      ADD COLUMN score jsonb`);
    await q.query(`DROP INDEX dispatch."UQ_dispatch_offers_one_pending"`);
    await q.query(
      `CREATE UNIQUE INDEX "UQ_dispatch_offers_one_pending_sequential" ON dispatch.offers (delivery_id) WHERE status = 'pending' AND NOT broadcast`,
    );
    await q.query(`CREATE INDEX "IDX_dispatch_offers_delivery_pending" ON dispatch.offers (delivery_id) WHERE status = 'pending'`);

    // fee_pending_since: when the delivery was released to riders before fee priced it. Only such a delivery may
    // leave pending without a fee.
    await q.query(`ALTER TABLE dispatch.deliveries
      ADD COLUMN fee_pending_since timestamptz,
      ADD COLUMN manual_dispatch_since timestamptz`);
    await q.query(`ALTER TABLE dispatch.deliveries DROP CONSTRAINT "CHK_dispatch_deliveries_priced"`);
    await q.query(`ALTER TABLE dispatch.deliveries ADD CONSTRAINT "CHK_dispatch_deliveries_priced"
      CHECK (fee IS NOT NULL OR status IN ('pending', 'cancelled') OR fee_pending_since IS NOT NULL)`);
    await q.query(
      `CREATE INDEX "IDX_dispatch_deliveries_rider_last" ON dispatch.deliveries (rider_id, assigned_at) WHERE rider_id IS NOT NULL`,
    );

    // Capacity in the database: whatever path assigns a delivery (an accept, a manual assignment, a
    // reassignment, plain SQL), the rider's row is locked so two assignments of one rider run one after the
    // other, and one beyond riders.capacity is refused.
    await q.query(`CREATE FUNCTION dispatch.enforce_rider_capacity() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        allowed integer;
        carrying integer;
      BEGIN
        IF NEW.rider_id IS NULL OR NEW.status NOT IN ('assigned', 'picked_up') THEN RETURN NEW; END IF;
        IF TG_OP = 'UPDATE' AND OLD.rider_id IS NOT DISTINCT FROM NEW.rider_id AND OLD.status IN ('assigned', 'picked_up') THEN
          RETURN NEW;
        END IF;
        SELECT capacity INTO allowed FROM dispatch.riders WHERE id = NEW.rider_id FOR UPDATE;
        SELECT count(*) INTO carrying FROM dispatch.deliveries
         WHERE rider_id = NEW.rider_id AND status IN ('assigned', 'picked_up') AND id <> NEW.id;
        IF carrying >= allowed THEN
          RAISE EXCEPTION 'rider % already carries % of % deliveries', NEW.rider_id, carrying, allowed
            USING ERRCODE = 'check_violation', CONSTRAINT = '${RIDER_CAPACITY_CONSTRAINT}',
                  DETAIL = json_build_object('active', carrying, 'capacity', allowed)::text;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER "TRG_dispatch_deliveries_rider_capacity"
      BEFORE INSERT OR UPDATE OF rider_id, status ON dispatch.deliveries
      FOR EACH ROW EXECUTE FUNCTION dispatch.enforce_rider_capacity()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER "TRG_dispatch_deliveries_rider_capacity" ON dispatch.deliveries`);
    await q.query(`DROP FUNCTION dispatch.enforce_rider_capacity()`);
    await q.query(`DROP INDEX dispatch."IDX_dispatch_deliveries_rider_last"`);
    await q.query(`ALTER TABLE dispatch.deliveries DROP CONSTRAINT "CHK_dispatch_deliveries_priced"`);
    await q.query(`ALTER TABLE dispatch.deliveries ADD CONSTRAINT "CHK_dispatch_deliveries_priced" CHECK (fee IS NOT NULL OR status IN ('pending', 'cancelled'))`);
    await q.query(`ALTER TABLE dispatch.deliveries DROP COLUMN fee_pending_since, DROP COLUMN manual_dispatch_since`);
    await q.query(`DROP INDEX dispatch."IDX_dispatch_offers_delivery_pending"`);
    await q.query(`DROP INDEX dispatch."UQ_dispatch_offers_one_pending_sequential"`);
    await q.query(`CREATE UNIQUE INDEX "UQ_dispatch_offers_one_pending" ON dispatch.offers (delivery_id) WHERE status = 'pending'`);
    await q.query(`ALTER TABLE dispatch.offers DROP COLUMN broadcast, DROP COLUMN score`);
    await q.query(`ALTER TABLE dispatch.agencies
      DROP COLUMN offer_policy, DROP COLUMN broadcast_size, DROP COLUMN offer_timeout_seconds`);
  }
}
