import { Body, Controller, Delete, Get, HttpCode, Put } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Actor, AgencyRoutes, ApiErrors, RequiresRole, schemaRef, type AgencyActor } from '#platform';
import { AgencyTariff } from './agency-tariff.service.js';

const VIEW = { status: 200, description: 'The tariff version the change wrote', schema: schemaRef('TariffView') };
const FEE_ERRORS = ['NO_TARIFF', 'UPSTREAM_UNAVAILABLE'] as const;

/**
 * The agency's tariff on dispatch (docs/agency-api.md#the-tariff): fee keeps it and answers as its own tariff
 * routes do; these take an operator's session as well as the key, and record every change in the audit log.
 */
@ApiTags('tariff')
@Controller('v1/agencies/:agencyId/tariff')
@AgencyRoutes('owner')
export class TariffsController {
  constructor(private readonly tariff: AgencyTariff) {}

  @Get()
  @RequiresRole('viewer')
  @ApiOperation({ summary: "The agency's tariff in force, and versions scheduled after it (any role)" })
  @ApiResponse({ status: 200, description: 'The tariff in force', schema: schemaRef('CurrentTariffView') })
  @ApiErrors([...FEE_ERRORS])
  current(@Actor() actor: AgencyActor) {
    return this.tariff.current(actor.agencyId);
  }

  @Get('versions')
  @RequiresRole('viewer')
  @ApiOperation({ summary: "Every version of the agency's tariff, oldest first (any role)" })
  @ApiResponse({ status: 200, description: 'The versions', schema: { type: 'array', items: schemaRef('TariffView') } })
  @ApiErrors(['UPSTREAM_UNAVAILABLE'])
  versions(@Actor() actor: AgencyActor) {
    return this.tariff.versions(actor.agencyId);
  }

  @Put()
  @HttpCode(200)
  @ApiOperation({ summary: "Replaces the agency's tariff by a new version, now or from a later moment (owner; audited)" })
  @ApiBody({ required: true, schema: schemaRef('ReplaceTariffRequest') })
  @ApiResponse(VIEW)
  @ApiErrors(['TARIFF_INVALID', ...FEE_ERRORS])
  replace(@Actor() actor: AgencyActor, @Body() body: unknown) {
    return this.tariff.change(actor.agencyId, 'replace', body);
  }

  @Put('weather')
  @HttpCode(200)
  @ApiOperation({ summary: 'Switches the rain or snow surcharge on until a given moment: a new version (owner; audited)' })
  @ApiBody({ required: true, schema: schemaRef('WeatherRequest') })
  @ApiResponse(VIEW)
  @ApiErrors(['TARIFF_INVALID', ...FEE_ERRORS])
  weatherOn(@Actor() actor: AgencyActor, @Body() body: unknown) {
    return this.tariff.change(actor.agencyId, 'weather-on', body);
  }

  @Delete('weather')
  @HttpCode(200)
  @ApiOperation({ summary: 'Switches the weather surcharge off: a new version (owner; audited)' })
  @ApiResponse(VIEW)
  @ApiErrors(['TARIFF_INVALID', ...FEE_ERRORS])
  weatherOff(@Actor() actor: AgencyActor) {
    return this.tariff.change(actor.agencyId, 'weather-off');
  }
}
