import { Module } from '@nestjs/common';
import { RestaurantsRepository } from './restaurants.repository.js';
import { RestaurantsService } from './restaurants.service.js';

/** Restaurants as tenants: found by id for webhooks, by API key for reads. Provisioned by the admin CLI. */
@Module({
  providers: [RestaurantsService, RestaurantsRepository],
  exports: [RestaurantsService],
})
export class RestaurantsModule {}
