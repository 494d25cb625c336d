import { Module } from '@nestjs/common';
import { RestaurantsModule } from '../restaurants/restaurants.module.js';
import { RestaurantAdminHandler } from './restaurant-admin.handler.js';

/** An agency's management of its restaurants, asked by dispatch over the message transport; above restaurants. */
@Module({
  imports: [RestaurantsModule],
  controllers: [RestaurantAdminHandler],
})
export class RestaurantAdminModule {}
