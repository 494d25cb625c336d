import { Module } from '@nestjs/common';
import { AgenciesModule } from '../agencies/agencies.module.js';
import { OrdersModule } from '../orders/orders.module.js';
import { RestaurantsModule } from '../restaurants/restaurants.module.js';
import { OrderEntryController } from './order-entry.controller.js';
import { OrderEntryService } from './order-entry.service.js';

/** Orders an agency enters by hand for its restaurants, with its API key. */
@Module({
  imports: [AgenciesModule, OrdersModule, RestaurantsModule],
  controllers: [OrderEntryController],
  providers: [OrderEntryService],
})
export class OrderEntryModule {}
