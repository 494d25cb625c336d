import { Body, Controller, Get, Param, Put, UseGuards } from '@nestjs/common';
import { AgencyKeyGuard } from '#platform';
import { DispatchSettingsService } from './dispatch-settings.service.js';
import { DispatchSettingsBody } from './dto/dispatch-settings.body.js';

/** The agency's dispatch settings: how its deliveries are offered to riders. */
@Controller('v1/agencies/:agencyId/dispatch-settings')
@UseGuards(AgencyKeyGuard)
export class DispatchSettingsController {
  constructor(private readonly settings: DispatchSettingsService) {}

  @Get()
  get(@Param('agencyId') agencyId: string) {
    return this.settings.get(agencyId.toLowerCase());
  }

  @Put()
  replace(@Param('agencyId') agencyId: string, @Body() body: DispatchSettingsBody) {
    return this.settings.replace(agencyId.toLowerCase(), body);
  }
}
