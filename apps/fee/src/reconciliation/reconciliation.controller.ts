import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AgencyKeyGuard, ApiErrors } from '#platform';
import { ReconciliationService } from './reconciliation.service.js';

/** `GET /v1/agencies/:agencyId/reconciliation`: the estimated fees of the agency still awaiting a real route. */
@ApiTags('reconciliation')
@ApiBearerAuth('agencyKey')
@Controller('v1/agencies/:agencyId/reconciliation')
@UseGuards(AgencyKeyGuard)
export class ReconciliationController {
  constructor(private readonly reconciliation: ReconciliationService) {}

  @Get()
  @ApiOperation({ summary: "The agency's fees priced on the estimate and still awaiting a real provider's route" })
  @ApiResponse({
    status: 200,
    description: 'What reconciliation has left to do',
    schema: {
      type: 'object',
      required: ['pending', 'oldestPricedAt', 'failing', 'adjustedToday'],
      properties: { pending: { type: 'integer' }, oldestPricedAt: { type: ['string', 'null'], format: 'date-time' }, failing: { type: 'integer' }, adjustedToday: { type: 'integer' } },
    },
  })
  @ApiErrors(['UNAUTHENTICATED', 'AGENCY_NOT_FOUND'])
  status(@Param('agencyId') agencyId: string) {
    return this.reconciliation.status(agencyId.toLowerCase());
  }
}
