import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The people of an agency who sign in to the dashboard (operators), the one-time invites that make them, their
 * sessions (only hashes of the tokens), and the audit log of what every person or the agency API key did by hand.
 */
export class DispatchOperators1765600000000 implements MigrationInterface {
  name = 'DispatchOperators1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE dispatch.operators (
      id uuid PRIMARY KEY,
      agency_id uuid NOT NULL REFERENCES dispatch.agencies (id),
      email text NOT NULL,
      name text NOT NULL,
      role text NOT NULL,
      password_hash text NOT NULL,
      disabled_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "UQ_dispatch_operators_email" UNIQUE (email),
      CONSTRAINT "CHK_dispatch_operators_role" CHECK (role IN ('owner', 'dispatcher', 'viewer')))`);
    await q.query(`CREATE INDEX "IDX_dispatch_operators_agency_id" ON dispatch.operators (agency_id)`);
    await q.query(`CREATE TABLE dispatch.operator_invites (
      token_hash text PRIMARY KEY,
      agency_id uuid NOT NULL REFERENCES dispatch.agencies (id),
      email text NOT NULL,
      role text NOT NULL,
      expires_at timestamptz NOT NULL,
      accepted_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "CHK_dispatch_operator_invites_role" CHECK (role IN ('owner', 'dispatcher', 'viewer')))`);
    await q.query(`CREATE TABLE dispatch.operator_sessions (
      token_hash text PRIMARY KEY,
      operator_id uuid NOT NULL REFERENCES dispatch.operators (id),
      created_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz)`);
    await q.query(`CREATE INDEX "IDX_dispatch_operator_sessions_operator_id" ON dispatch.operator_sessions (operator_id)`);
    await q.query(`CREATE TABLE dispatch.audit_log (
      id bigserial PRIMARY KEY,
      agency_id uuid NOT NULL REFERENCES dispatch.agencies (id),
      at timestamptz NOT NULL DEFAULT now(),
      operator_id uuid REFERENCES dispatch.operators (id),
      actor text NOT NULL,
      action text NOT NULL,
      subject text,
      details jsonb NOT NULL DEFAULT '{}')`);
    await q.query(`CREATE INDEX "IDX_dispatch_audit_log_agency_id" ON dispatch.audit_log (agency_id, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE dispatch.audit_log, dispatch.operator_sessions, dispatch.operator_invites, dispatch.operators');
  }
}
