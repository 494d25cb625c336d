import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '#config';
import { TurfEstimate } from '#maps';
import { QuoteEntity } from './quote.entity.js';
import { QuotesController } from './quotes.controller.js';
import { QuotesHandler } from './quotes.handler.js';
import { QuotesRepository } from './quotes.repository.js';
import { QuotesService, ROUTING } from './quotes.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([QuoteEntity])],
  controllers: [QuotesController, QuotesHandler],
  providers: [
    QuotesService,
    QuotesRepository,
    { provide: ROUTING, useFactory: (config: AppConfig) => new TurfEstimate(config.maps.detourFactor), inject: [APP_CONFIG] },
  ],
})
export class QuotesModule {}
