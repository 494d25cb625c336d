import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AgencyActorScope, OPERATOR_SESSIONS } from '#platform';
import { AgencyAudit } from '../audit/agency-audit.js';
import { AuditLogController } from '../audit/audit-log.controller.js';
import { AuditLogRepository } from '../audit/audit-log.repository.js';
import { AgenciesModule } from '../agencies/agencies.module.js';
import { OperatorSessionsController } from './operator-sessions.controller.js';
import { OperatorsController } from './operators.controller.js';
import { OperatorsRepository } from './operators.repository.js';
import { OperatorsService } from './operators.service.js';

/**
 * Operators, their sessions and the audit log. Global: the agency guard on every dispatch controller finds
 * sessions through OPERATOR_SESSIONS, and any feature records its manual actions with AgencyAudit.
 */
@Global()
@Module({
  imports: [AgenciesModule],
  controllers: [OperatorSessionsController, OperatorsController, AuditLogController],
  providers: [OperatorsRepository, OperatorsService, { provide: OPERATOR_SESSIONS, useExisting: OperatorsService }, AuditLogRepository, AgencyAudit, { provide: APP_INTERCEPTOR, useClass: AgencyActorScope }],
  exports: [OPERATOR_SESSIONS, AuditLogRepository, AgencyAudit],
})
export class OperatorsModule {}
