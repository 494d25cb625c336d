import type { MigrationInterface, QueryRunner } from 'typeorm';
import { RIDER_CAPACITY_CONSTRAINT } from './1764201700000-dispatch-offer-policies.js';

/**
 * The capacity trigger locks the rider FOR NO KEY UPDATE rather than FOR UPDATE, as offering and manual dispatch
 * now do: the lock still makes two assignments of one rider run one after the other, but it no longer conflicts
 * with the key-share locks of rows that point at the rider (a batch of positions being written), which took their
 * locks in another order and deadlocked with it.
 */
export class DispatchRiderLocks1764806400000 implements MigrationInterface {
  name = 'DispatchRiderLocks1764806400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(capacityFunction('FOR NO KEY UPDATE'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(capacityFunction('FOR UPDATE'));
  }
}

function capacityFunction(lock: 'FOR UPDATE' | 'FOR NO KEY UPDATE'): string {
  return `CREATE OR REPLACE FUNCTION dispatch.enforce_rider_capacity() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        allowed integer;
        carrying integer;
      BEGIN
        IF NEW.rider_id IS NULL OR NEW.status NOT IN ('assigned', 'picked_up') THEN RETURN NEW; END IF;
        IF TG_OP = 'UPDATE' AND OLD.rider_id IS NOT DISTINCT FROM NEW.rider_id AND OLD.status IN ('assigned', 'picked_up') THEN
          RETURN NEW;
        END IF;
        SELECT capacity INTO allowed FROM dispatch.riders WHERE id = NEW.rider_id ${lock};
        SELECT count(*) INTO carrying FROM dispatch.deliveries
         WHERE rider_id = NEW.rider_id AND status IN ('assigned', 'picked_up') AND id <> NEW.id;
        IF carrying >= allowed THEN
          RAISE EXCEPTION 'rider % already carries % of % deliveries', NEW.rider_id, carrying, allowed
            USING ERRCODE = 'check_violation', CONSTRAINT = '${RIDER_CAPACITY_CONSTRAINT}',
                  DETAIL = json_build_object('active', carrying, 'capacity', allowed)::text;
        END IF;
        RETURN NEW;
      END $$`;
}
