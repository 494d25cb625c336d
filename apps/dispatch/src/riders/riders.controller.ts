import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { RidersService } from './riders.service.js';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AgencyKeyGuard, ApiErrors } from '#platform';

@ApiTags('riders')
@ApiBearerAuth('agencyKey')
@Controller('v1/agencies/:agencyId/riders')
@UseGuards(AgencyKeyGuard)
export class RidersController {
  constructor(private readonly riders: RidersService) {}

  @Get()
  @ApiOperation({ summary: "The agency's riders with their state, load and last position" })
  @ApiResponse({ status: 200, description: 'The riders (docs/agency-api.md)', schema: { type: 'object', required: ['riders'], properties: { riders: { type: 'array', items: { type: 'object' } } } } })
  @ApiErrors(['UNAUTHENTICATED', 'AGENCY_NOT_FOUND'])
  async list(@Param('agencyId') agencyId: string) {
    return { riders: await this.riders.listForAgency(agencyId.toLowerCase()) };
  }
}
