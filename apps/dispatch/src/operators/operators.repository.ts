import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { OperatorRole, OperatorSession } from '#platform';

export interface OperatorRow {
  id: string;
  agencyId: string;
  email: string;
  name: string;
  role: OperatorRole;
  passwordHash: string;
  disabledAt: Date | null;
  createdAt: Date;
}

const OPERATOR = `o.id, o.agency_id AS "agencyId", o.email, o.name, o.role, o.password_hash AS "passwordHash", o.disabled_at AS "disabledAt", o.created_at AS "createdAt"`;

/** Operators, their invites and sessions; tokens only ever as their hashes. */
@Injectable()
export class OperatorsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insertInvite(manager: EntityManager, invite: { tokenHash: string; agencyId: string; email: string; role: OperatorRole; expiresAt: Date }): Promise<void> {
    await manager.query(`INSERT INTO dispatch.operator_invites (token_hash, agency_id, email, role, expires_at) VALUES ($1, $2, $3, $4, $5)`, [
      invite.tokenHash,
      invite.agencyId,
      invite.email,
      invite.role,
      invite.expiresAt,
    ]);
  }

  /** Marks an open invite accepted and returns it; null when it is unknown, used or expired. */
  async takeInvite(manager: EntityManager, tokenHash: string): Promise<{ agencyId: string; email: string; role: OperatorRole } | null> {
    const [rows] = (await manager.query(
      `UPDATE dispatch.operator_invites SET accepted_at = now()
        WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > now()
        RETURNING agency_id AS "agencyId", email, role`,
      [tokenHash],
    )) as [Array<{ agencyId: string; email: string; role: OperatorRole }>, number];
    return rows[0] ?? null;
  }

  /** False when the email is already someone's. */
  async insertOperator(manager: EntityManager, operator: Omit<OperatorRow, 'disabledAt' | 'createdAt'>): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO dispatch.operators (id, agency_id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT ON CONSTRAINT "UQ_dispatch_operators_email" DO NOTHING RETURNING id`,
      [operator.id, operator.agencyId, operator.email, operator.name, operator.role, operator.passwordHash],
    );
    return rows.length === 1;
  }

  async findByEmail(email: string): Promise<OperatorRow | null> {
    const rows: OperatorRow[] = await this.dataSource.query(`SELECT ${OPERATOR} FROM dispatch.operators o WHERE o.email = $1`, [email]);
    return rows[0] ?? null;
  }

  listByAgency(agencyId: string): Promise<OperatorRow[]> {
    return this.dataSource.query(`SELECT ${OPERATOR} FROM dispatch.operators o WHERE o.agency_id = $1 ORDER BY o.name, o.id`, [agencyId]);
  }

  /** Locks the agency's operator for the rest of the transaction; null when the agency has no such operator. */
  async lock(manager: EntityManager, agencyId: string, id: string): Promise<OperatorRow | null> {
    const rows: OperatorRow[] = await manager.query(`SELECT ${OPERATOR} FROM dispatch.operators o WHERE o.id = $1 AND o.agency_id = $2 FOR UPDATE`, [id, agencyId]);
    return rows[0] ?? null;
  }

  async setRole(manager: EntityManager, id: string, role: OperatorRole): Promise<void> {
    await manager.query(`UPDATE dispatch.operators SET role = $2 WHERE id = $1`, [id, role]);
  }

  async disable(manager: EntityManager, id: string): Promise<void> {
    await manager.query(`UPDATE dispatch.operators SET disabled_at = coalesce(disabled_at, now()) WHERE id = $1`, [id]);
  }

  /** Ends every live session of the operator; returns how many there were. */
  async revokeSessions(manager: EntityManager, operatorId: string): Promise<number> {
    const [, count] = (await manager.query(`UPDATE dispatch.operator_sessions SET revoked_at = now() WHERE operator_id = $1 AND revoked_at IS NULL`, [operatorId])) as [
      unknown,
      number,
    ];
    return count;
  }

  async insertSession(session: { tokenHash: string; operatorId: string; expiresAt: Date }): Promise<void> {
    await this.dataSource.query(`INSERT INTO dispatch.operator_sessions (token_hash, operator_id, expires_at) VALUES ($1, $2, $3)`, [
      session.tokenHash,
      session.operatorId,
      session.expiresAt,
    ]);
  }

  /** Ends one session; false when it was not live. */
  async revokeSession(tokenHash: string): Promise<boolean> {
    const [, count] = (await this.dataSource.query(`UPDATE dispatch.operator_sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL`, [
      tokenHash,
    ])) as [unknown, number];
    return count === 1;
  }

  /**
   * The operator of a live session, marking it used now: not revoked, used within `idleMs`, before its absolute
   * end, and its operator not disabled. One statement, so a revocation that commits first is always seen.
   */
  async touchSession(tokenHash: string, idleMs: number): Promise<OperatorSession | null> {
    const [rows] = (await this.dataSource.query(
      `UPDATE dispatch.operator_sessions s SET last_seen_at = now()
         FROM dispatch.operators o
        WHERE s.token_hash = $1 AND o.id = s.operator_id AND s.revoked_at IS NULL AND s.expires_at > now()
          AND s.last_seen_at > now() - make_interval(secs => $2) AND o.disabled_at IS NULL
        RETURNING o.id AS "operatorId", o.agency_id AS "agencyId", o.name, o.email, o.role`,
      [tokenHash, idleMs / 1000],
    )) as [OperatorSession[], number];
    return rows[0] ?? null;
  }
}
