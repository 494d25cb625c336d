import { Body, Controller, Get, Param, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AgencyKeyGuard, ApiErrors, RequiresRole } from '#platform';
import { DispatchSettingsService } from './dispatch-settings.service.js';
import { DispatchSettingsBody } from './dto/dispatch-settings.body.js';

/** The agency's dispatch settings: how its deliveries are offered to riders. */
const SETTINGS = { description: "The agency's settings, each with the value in force (its own, or the service's default)", schema: { type: 'object' } };

@ApiTags('dispatch settings')
@ApiBearerAuth('agencyKey')
@ApiErrors(['UNAUTHENTICATED', 'FORBIDDEN', 'AGENCY_NOT_FOUND'])
@Controller('v1/agencies/:agencyId/dispatch-settings')
@UseGuards(AgencyKeyGuard)
export class DispatchSettingsController {
  constructor(private readonly settings: DispatchSettingsService) {}

  @Get()
  @ApiOperation({ summary: 'How the agency\'s deliveries are offered to riders' })
  @ApiResponse({ status: 200, ...SETTINGS })
  get(@Param('agencyId') agencyId: string) {
    return this.settings.get(agencyId.toLowerCase());
  }

  @Put()
  @RequiresRole('owner')
  @ApiOperation({ summary: 'Replaces the agency\'s dispatch settings; a field left out or null follows the service\'s default' })
  @ApiResponse({ status: 200, ...SETTINGS })
  @ApiErrors(['VALIDATION_FAILED'])
  replace(@Param('agencyId') agencyId: string, @Body() body: DispatchSettingsBody) {
    return this.settings.replace(agencyId.toLowerCase(), body);
  }
}
