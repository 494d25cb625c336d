import { Module } from '@nestjs/common';
import { AgenciesModule } from '../agencies/agencies.module.js';
import { AgencyTariff } from './agency-tariff.service.js';
import { TariffsController } from './tariffs.controller.js';

/** The agency's tariff, kept by fee, reached over the message transport with an operator's session or the key. */
@Module({
  imports: [AgenciesModule],
  controllers: [TariffsController],
  providers: [AgencyTariff],
})
export class TariffsModule {}
