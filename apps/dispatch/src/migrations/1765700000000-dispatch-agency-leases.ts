import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dispatch as several instances (docs/clustering.md): each agency's planning and sweeps are owned by one instance
 * at a time through a lease with an epoch (the fencing token), and instances say they are alive in a heartbeat
 * table so each takes its share. `hold_agency_leases` is the fence every owned write runs first in its transaction.
 */
export class DispatchAgencyLeases1765700000000 implements MigrationInterface {
  name = 'DispatchAgencyLeases1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE dispatch.agency_leases (
      agency_id uuid PRIMARY KEY REFERENCES dispatch.agencies (id) ON DELETE CASCADE,
      holder text NOT NULL,
      epoch bigint NOT NULL,
      acquired_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      CONSTRAINT "CHK_dispatch_agency_leases_epoch" CHECK (epoch > 0)
    )`);
    await q.query(`CREATE INDEX "IDX_dispatch_agency_leases_holder" ON dispatch.agency_leases (holder)`);
    await q.query(`CREATE TABLE dispatch.instances (
      id text PRIMARY KEY,
      started_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL
    )`);
    // Locks the leases FOR KEY SHARE until the transaction ends: the owner's own renewals (non-key updates) go on,
    // but a takeover (which locks the expired rows FOR UPDATE first) waits for the commit, so what a fenced transaction
    // writes is either refused or committed before the next owner starts. A paused owner's open transaction is cut
    // by idle_in_transaction_session_timeout, so it cannot hold the lease rows for ever.
    await q.query(`CREATE FUNCTION dispatch.hold_agency_leases(p_holder text, p_agencies uuid[], p_epochs bigint[], p_idle_ms int)
      RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        held int;
      BEGIN
        PERFORM set_config('idle_in_transaction_session_timeout', p_idle_ms::text, true);
        SELECT count(*) INTO held FROM (
          SELECT 1 FROM dispatch.agency_leases l
            JOIN unnest(p_agencies, p_epochs) AS w(agency_id, epoch) ON w.agency_id = l.agency_id AND w.epoch = l.epoch
           WHERE l.holder = p_holder AND l.expires_at > clock_timestamp()
             FOR KEY SHARE OF l) s;
        IF held <> cardinality(p_agencies) THEN
          RAISE EXCEPTION 'AGENCY_LEASE_LOST: % no longer holds the lease of every agency of %', p_holder, p_agencies
            USING ERRCODE = 'BL001';
        END IF;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION dispatch.hold_agency_leases(text, uuid[], bigint[], int)');
    await q.query('DROP TABLE dispatch.instances');
    await q.query('DROP TABLE dispatch.agency_leases');
  }
}
