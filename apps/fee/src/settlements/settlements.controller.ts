import { applyDecorators, Controller, Get, Headers, Param, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { parsePeriodQuery, parseSettlementQuery } from './settlement-query.js';
import { SettlementsService, type Report } from './settlements.service.js';
import { AgencyKeyGuard, ApiErrors } from '#platform';

/** An agency's settlement reports, as JSON or CSV (`format=csv` or `Accept: text/csv`). */
/** A report's period, format and answers. */
const Report = (summary: string) =>
  applyDecorators(
    ApiOperation({ summary, description: 'JSON, or CSV with `format=csv` or `Accept: text/csv` (docs/fees.md).' }),
    ApiQuery({ name: 'from', required: true, description: 'Start of the period, inclusive (ISO 8601 date or date-time)', schema: { type: 'string' } }),
    ApiQuery({ name: 'to', required: true, description: 'End of the period, exclusive', schema: { type: 'string' } }),
    ApiQuery({ name: 'format', required: false, schema: { type: 'string', enum: ['json', 'csv'] } }),
    ApiProduces('application/json', 'text/csv'),
    ApiResponse({ status: 200, description: 'The report', content: { 'application/json': { schema: { type: 'object' } }, 'text/csv': { schema: { type: 'string' } } } }),
    ApiErrors(['UNAUTHENTICATED', 'AGENCY_NOT_FOUND', 'VALIDATION_FAILED']),
  );

@ApiTags('settlements')
@ApiBearerAuth('agencyKey')
@Controller('v1/agencies/:agencyId')
@UseGuards(AgencyKeyGuard)
export class SettlementsController {
  constructor(private readonly settlements: SettlementsService) {}

  /** Adjustments reconciliation made in `[from, to)`. */
  @Get('adjustments')
  @Report('Adjustments reconciliation made to estimated fees in the period')
  async adjustments(@Param('agencyId') agencyId: string, @Query() query: Record<string, unknown>, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) response: Response): Promise<object | string> {
    return send(response, await this.settlements.adjustments(agencyId.toLowerCase(), parsePeriodQuery(query, accept)));
  }

  /** Deliveries delivered in `[from, to)`, by restaurant or by rider. */
  @Get('settlements')
  @Report('Deliveries delivered in the period, by restaurant or by rider')
  @ApiQuery({ name: 'by', required: true, schema: { type: 'string', enum: ['restaurant', 'rider'] } })
  async settlement(@Param('agencyId') agencyId: string, @Query() query: Record<string, unknown>, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) response: Response): Promise<object | string> {
    return send(response, await this.settlements.settlement(agencyId.toLowerCase(), parseSettlementQuery(query, accept)));
  }
}

function send(response: Response, report: Report): object | string {
  if (report.format === 'json') return report.body;
  response.setHeader('Content-Type', 'text/csv; charset=utf-8');
  response.setHeader('Content-Disposition', `attachment; filename="${report.filename}"`);
  return report.body;
}
