import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { validateContract } from '#contracts';
import { Actor, AgencyRoutes, ApiErrors, DomainError, type AgencyActor } from '#platform';
import { AUDIT_ACTIONS } from './audit-actions.js';
import { AuditLogRepository } from './audit-log.repository.js';
import { ListAuditQuery } from './dto/list-audit.query.js';

const ENTRY = {
  type: 'object',
  required: ['id', 'at', 'actor', 'action'],
  properties: {
    id: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
    operatorId: { type: ['string', 'null'], format: 'uuid', description: 'Null for the agency API key' },
    actor: { type: 'string', description: "The operator's name and email, or `agency API key`" },
    action: { type: 'string', enum: [...AUDIT_ACTIONS] },
    subject: { type: ['string', 'null'] },
    details: { type: 'object' },
  },
};

/** What people and the agency API key did by hand, newest first, filtered and paged (docs/agency-api.md). */
@ApiTags('audit log')
@Controller('v1/agencies/:agencyId/audit-log')
@AgencyRoutes('owner')
export class AuditLogController {
  constructor(private readonly audit: AuditLogRepository) {}

  @Get()
  @ApiOperation({ summary: 'The audit log, newest first; `nextBefore` is the `before` of the next page (null on the last)' })
  @ApiQuery({ name: 'actor', required: false, description: "An operator's id, or `key` for the agency API key", schema: { type: 'string' } })
  @ApiQuery({ name: 'action', required: false, schema: { type: 'string', enum: [...AUDIT_ACTIONS] } })
  @ApiQuery({ name: 'from', required: false, description: 'At or after (ISO 8601)', schema: { type: 'string', format: 'date-time' } })
  @ApiQuery({ name: 'to', required: false, description: 'Before (ISO 8601)', schema: { type: 'string', format: 'date-time' } })
  @ApiQuery({ name: 'before', required: false, description: 'The `nextBefore` of the page before', schema: { type: 'string' } })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } })
  @ApiResponse({ status: 200, description: 'A page of entries', schema: { type: 'object', required: ['entries', 'nextBefore'], properties: { entries: { type: 'array', items: ENTRY }, nextBefore: { type: ['string', 'null'] } } } })
  @ApiErrors(['VALIDATION_FAILED'])
  async list(@Actor() actor: AgencyActor, @Query() query: Record<string, unknown>) {
    // The global pipe leaves query strings alone, so they are checked here.
    const filter = validateContract(ListAuditQuery, query);
    if (!filter.ok) throw DomainError.validation(filter.errors);
    const limit = filter.value.limit ?? 50;
    const entries = await this.audit.list(actor.agencyId, { ...filter.value, limit });
    return { entries, nextBefore: entries.length === limit ? entries[entries.length - 1].id : null };
  }
}
