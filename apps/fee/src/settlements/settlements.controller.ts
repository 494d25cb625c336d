import { Controller, Get, Headers, Param, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { parsePeriodQuery, parseSettlementQuery } from './settlement-query.js';
import { SettlementsService, type Report } from './settlements.service.js';
import { AgencyKeyGuard } from '#platform';

/** An agency's settlement reports, as JSON or CSV (`format=csv` or `Accept: text/csv`). */
@Controller('v1/agencies/:agencyId')
@UseGuards(AgencyKeyGuard)
export class SettlementsController {
  constructor(private readonly settlements: SettlementsService) {}

  /** Adjustments reconciliation made in `[from, to)`. */
  @Get('adjustments')
  async adjustments(@Param('agencyId') agencyId: string, @Query() query: Record<string, unknown>, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) response: Response): Promise<object | string> {
    return send(response, await this.settlements.adjustments(agencyId.toLowerCase(), parsePeriodQuery(query, accept)));
  }

  /** Deliveries delivered in `[from, to)`, by restaurant or by rider. */
  @Get('settlements')
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
