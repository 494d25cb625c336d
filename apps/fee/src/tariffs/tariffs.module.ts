import { Module } from '@nestjs/common';
import { TariffCache } from './tariff.cache.js';
import { TariffsController } from './tariffs.controller.js';
import { TariffsHandler } from './tariffs.handler.js';
import { TariffsRepository } from './tariffs.repository.js';
import { TariffsService } from './tariffs.service.js';

/** Agencies' tariffs, one version per change, and the compiled form quotes are priced with. */
@Module({
  controllers: [TariffsController, TariffsHandler],
  providers: [TariffsService, TariffsRepository, TariffCache],
  exports: [TariffsService, TariffCache],
})
export class TariffsModule {}
