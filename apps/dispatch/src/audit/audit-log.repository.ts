import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { AgencyActor } from '#platform';

/** One thing a person (or the agency API key) did by hand. */
export interface AuditEntry {
  id: string;
  at: Date;
  operatorId: string | null;
  actor: string;
  action: string;
  subject: string | null;
  details: Record<string, unknown>;
}

export interface AuditFilter {
  /** An operator's id, or `key` for the agency API key. */
  actor?: string;
  action?: string;
  from?: Date;
  to?: Date;
  /** Entries older than this id (the page before). */
  before?: string;
  limit: number;
}

@Injectable()
export class AuditLogRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Written with `manager`, so the entry commits with the action it records, or neither does. `at` is when it
   * happened, for an action another service took and told of (now by default).
   */
  async record(manager: EntityManager, actor: AgencyActor, action: string, subject: string | null, details: Record<string, unknown> = {}, at?: Date): Promise<void> {
    await manager.query(
      `INSERT INTO dispatch.audit_log (agency_id, operator_id, actor, action, subject, details, at) VALUES ($1, $2, $3, $4, $5, $6, coalesce($7, now()))`,
      [actor.agencyId, actor.operatorId, actor.label, action, subject, JSON.stringify(details), at ?? null],
    );
  }

  /**
   * Records that `actor` entered order `orderId`, unless it is recorded already: the dashboard sends an order
   * again with its idempotency key until it hears the answer, and every retry gets the same order back.
   */
  async recordOrderEntered(actor: AgencyActor, orderId: string, details: Record<string, unknown>): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO dispatch.audit_log (agency_id, operator_id, actor, action, subject, details) VALUES ($1, $2, $3, 'order.entered', $4, $5)
       ON CONFLICT (agency_id, subject) WHERE action = 'order.entered' DO NOTHING`,
      [actor.agencyId, actor.operatorId, actor.label, orderId, JSON.stringify(details)],
    );
  }

  /** The agency's entries matching the filter, newest first. */
  list(agencyId: string, filter: AuditFilter): Promise<AuditEntry[]> {
    const where = ['agency_id = $1'];
    const params: unknown[] = [agencyId];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.actor === 'key') where.push('operator_id IS NULL');
    else if (filter.actor) add('operator_id = ?::uuid', filter.actor);
    if (filter.action) add('action = ?', filter.action);
    if (filter.from) add('at >= ?', filter.from);
    if (filter.to) add('at < ?', filter.to);
    if (filter.before) add('id < ?::bigint', filter.before);
    params.push(filter.limit);
    return this.dataSource.query(
      `SELECT id::text, at, operator_id AS "operatorId", actor, action, subject, details FROM dispatch.audit_log
        WHERE ${where.join(' AND ')} ORDER BY audit_log.id DESC LIMIT $${params.length}`,
      params,
    );
  }
}
