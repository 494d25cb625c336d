import { Body, Controller, Delete, Get, HttpCode, Param, Put, UseGuards } from '@nestjs/common';
import { TariffsService, type TariffView } from './tariffs.service.js';
import { AgencyKeyGuard } from '#platform';

/** An agency reads and replaces its own tariff with its API key. */
@Controller('v1/agencies/:agencyId/tariff')
@UseGuards(AgencyKeyGuard)
export class TariffsController {
  constructor(private readonly tariffs: TariffsService) {}

  @Get()
  current(@Param('agencyId') agencyId: string): Promise<TariffView & { scheduled: TariffView[] }> {
    return this.tariffs.current(agencyId);
  }

  @Put()
  @HttpCode(200)
  replace(@Param('agencyId') agencyId: string, @Body() body: unknown): Promise<TariffView> {
    return this.tariffs.replace(agencyId, body);
  }

  @Get('versions')
  history(@Param('agencyId') agencyId: string): Promise<TariffView[]> {
    return this.tariffs.history(agencyId);
  }

  /** Rain or snow mode on: `{ "mode": "rain", "amount": 1000, "until": "..." }`. */
  @Put('weather')
  @HttpCode(200)
  weatherOn(@Param('agencyId') agencyId: string, @Body() body: unknown): Promise<TariffView> {
    return this.tariffs.setWeather(agencyId, body);
  }

  @Delete('weather')
  @HttpCode(200)
  weatherOff(@Param('agencyId') agencyId: string): Promise<TariffView> {
    return this.tariffs.setWeather(agencyId, null);
  }
}
