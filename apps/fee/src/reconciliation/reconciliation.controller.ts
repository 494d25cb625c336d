import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { AgencyKeyGuard } from '#platform';
import { ReconciliationService } from './reconciliation.service.js';

/** `GET /v1/agencies/:agencyId/reconciliation`: the estimated fees of the agency still awaiting a real route. */
@Controller('v1/agencies/:agencyId/reconciliation')
@UseGuards(AgencyKeyGuard)
export class ReconciliationController {
  constructor(private readonly reconciliation: ReconciliationService) {}

  @Get()
  status(@Param('agencyId') agencyId: string) {
    return this.reconciliation.status(agencyId.toLowerCase());
  }
}
