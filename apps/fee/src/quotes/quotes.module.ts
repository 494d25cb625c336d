import { Module } from '@nestjs/common';
import { GeocodingModule } from '../geocoding/geocoding.module.js';
import { TariffsModule } from '../tariffs/tariffs.module.js';
import { QuotesController } from './quotes.controller.js';
import { QuotesHandler } from './quotes.handler.js';
import { QuotesRepository } from './quotes.repository.js';
import { QuotesService } from './quotes.service.js';

@Module({
  imports: [TariffsModule, GeocodingModule],
  controllers: [QuotesController, QuotesHandler],
  providers: [QuotesService, QuotesRepository],
  exports: [QuotesService],
})
export class QuotesModule {}
