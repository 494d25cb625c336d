import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { AgencyKeyGuard } from '../agencies/agency-key.guard.js';
import { RidersService } from './riders.service.js';

@Controller('v1/agencies/:agencyId/riders')
@UseGuards(AgencyKeyGuard)
export class RidersController {
  constructor(private readonly riders: RidersService) {}

  @Get()
  async list(@Param('agencyId') agencyId: string) {
    return { riders: await this.riders.listForAgency(agencyId.toLowerCase()) };
  }
}
