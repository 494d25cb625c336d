import { Module } from '@nestjs/common';
import { DeliveriesModule } from '../deliveries/deliveries.module.js';
import { RidersModule } from '../riders/riders.module.js';
import { Dispatcher } from './dispatcher.service.js';
import { OffersRepository } from './offers.repository.js';
import { OffersService } from './offers.service.js';

@Module({
  imports: [DeliveriesModule, RidersModule],
  providers: [OffersRepository, OffersService, Dispatcher],
  exports: [OffersService],
})
export class OffersModule {}
