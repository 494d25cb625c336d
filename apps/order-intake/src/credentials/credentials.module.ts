import { Module } from '@nestjs/common';
import { AgenciesModule } from '../agencies/agencies.module.js';
import { RestaurantsModule } from '../restaurants/restaurants.module.js';
import { CredentialRotationsRepository } from './credential-rotations.repository.js';
import { AgencyRestaurantCredentialsController, RestaurantCredentialsController } from './credentials.controller.js';
import { CredentialsHandler } from './credentials.handler.js';
import { RestaurantCredentials } from './credentials.service.js';

/** Rotating restaurants' webhook secrets and API keys with an overlap window, by the restaurant or its agency (its key here, its operators through dispatch). */
@Module({
  imports: [AgenciesModule, RestaurantsModule],
  controllers: [RestaurantCredentialsController, AgencyRestaurantCredentialsController, CredentialsHandler],
  providers: [RestaurantCredentials, CredentialRotationsRepository],
})
export class CredentialsModule {}
