import { Module } from '@nestjs/common';
import { AgenciesModule } from '../agencies/agencies.module.js';
import { OrdersModule } from '../orders/orders.module.js';
import { RestaurantsModule } from '../restaurants/restaurants.module.js';
import { OrderEntryController } from './order-entry.controller.js';
import { OrderEntryHandler } from './order-entry.handler.js';
import { OrderEntryService } from './order-entry.service.js';

/** Orders an agency enters by hand for its restaurants: with its API key, or from the dashboard through dispatch. */
@Module({
  imports: [AgenciesModule, OrdersModule, RestaurantsModule],
  controllers: [OrderEntryController, OrderEntryHandler],
  providers: [OrderEntryService],
})
export class OrderEntryModule {}
