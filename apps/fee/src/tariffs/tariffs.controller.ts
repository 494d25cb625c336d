import { Body, Controller, Delete, Get, HttpCode, Param, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { TariffsService, type TariffView } from './tariffs.service.js';
import { AgencyKeyGuard, ApiErrors, schemaRef } from '#platform';

/** An agency reads and replaces its own tariff with its API key. */
const VIEW = { description: 'The tariff version now in force after the change', schema: schemaRef('TariffView') };

@ApiTags('tariffs')
@ApiBearerAuth('agencyKey')
@ApiErrors(['UNAUTHENTICATED', 'AGENCY_NOT_FOUND'])
@Controller('v1/agencies/:agencyId/tariff')
@UseGuards(AgencyKeyGuard)
export class TariffsController {
  constructor(private readonly tariffs: TariffsService) {}

  @Get()
  @ApiOperation({ summary: "The agency's tariff in force, and versions scheduled after it" })
  @ApiResponse({ status: 200, description: 'The tariff in force', schema: schemaRef('CurrentTariffView') })
  @ApiErrors(['NO_TARIFF'])
  current(@Param('agencyId') agencyId: string): Promise<TariffView & { scheduled: TariffView[] }> {
    return this.tariffs.current(agencyId);
  }

  @Put()
  @ApiOperation({ summary: "Replaces the agency's tariff by a new version, now or from a later moment" })
  @ApiBody({ required: true, schema: schemaRef('ReplaceTariffRequest') })
  @ApiResponse({ status: 200, ...VIEW })
  @ApiErrors(['TARIFF_INVALID'])
  @HttpCode(200)
  replace(@Param('agencyId') agencyId: string, @Body() body: unknown): Promise<TariffView> {
    return this.tariffs.replace(agencyId, body);
  }

  @Get('versions')
  @ApiOperation({ summary: "Every version of the agency's tariff" })
  @ApiResponse({ status: 200, description: 'The versions, oldest first', schema: { type: 'array', items: schemaRef('TariffView') } })
  history(@Param('agencyId') agencyId: string): Promise<TariffView[]> {
    return this.tariffs.history(agencyId);
  }

  /** Rain or snow mode on: `{ "mode": "rain", "amount": 1000, "until": "..." }`. */
  @Put('weather')
  @ApiOperation({ summary: 'Switches the rain or snow surcharge on until a given moment (a new tariff version)' })
  @ApiBody({ required: true, schema: schemaRef('WeatherRequest') })
  @ApiResponse({ status: 200, ...VIEW })
  @ApiErrors(['TARIFF_INVALID', 'NO_TARIFF'])
  @HttpCode(200)
  weatherOn(@Param('agencyId') agencyId: string, @Body() body: unknown): Promise<TariffView> {
    return this.tariffs.setWeather(agencyId, body);
  }

  @Delete('weather')
  @ApiOperation({ summary: 'Switches the weather surcharge off (a new tariff version)' })
  @ApiResponse({ status: 200, ...VIEW })
  @ApiErrors(['TARIFF_INVALID', 'NO_TARIFF'])
  @HttpCode(200)
  weatherOff(@Param('agencyId') agencyId: string): Promise<TariffView> {
    return this.tariffs.setWeather(agencyId, null);
  }
}
