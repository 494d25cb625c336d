import { Module } from '@nestjs/common';
import { AgenciesModule } from '../agencies/agencies.module.js';
import { AgencyRestaurants } from './agency-restaurants.service.js';
import { RestaurantAuditConsumer } from './restaurant-audit.consumer.js';
import { RestaurantsController } from './restaurants.controller.js';

/** The agency's restaurants, kept by order-intake and reached from here with a session or the key; their changes audited. */
@Module({
  imports: [AgenciesModule],
  controllers: [RestaurantsController, RestaurantAuditConsumer],
  providers: [AgencyRestaurants],
})
export class RestaurantsModule {}
