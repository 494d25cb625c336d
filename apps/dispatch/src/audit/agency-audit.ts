import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { currentActor } from '#platform';
import type { AuditAction } from './audit-actions.js';
import { AuditLogRepository } from './audit-log.repository.js';

/**
 * Records a step the agency takes by hand (through its API, as an operator or with its key) in the audit log, in
 * the transaction of the step, naming whoever the request acts as. Steps not made by an agency request (the
 * system's, a rider's) are not recorded here.
 */
@Injectable()
export class AgencyAudit {
  constructor(private readonly log: AuditLogRepository) {}

  async record(manager: EntityManager, action: AuditAction, subject: string, details: Record<string, unknown> = {}): Promise<void> {
    const actor = currentActor();
    if (actor) await this.log.record(manager, actor, action, subject, details);
  }
}
