import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { RidersService } from './riders.service.js';
import { AgencyKeyGuard } from '#platform';

@Controller('v1/agencies/:agencyId/riders')
@UseGuards(AgencyKeyGuard)
export class RidersController {
  constructor(private readonly riders: RidersService) {}

  @Get()
  async list(@Param('agencyId') agencyId: string) {
    return { riders: await this.riders.listForAgency(agencyId.toLowerCase()) };
  }
}
