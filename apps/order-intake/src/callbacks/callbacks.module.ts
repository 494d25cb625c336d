import { Module } from '@nestjs/common';
import { RestaurantsModule } from '../restaurants/restaurants.module.js';
import { CallbackDestinations } from './callback-destinations.js';
import { CallbackSender } from './callback-sender.service.js';
import { CallbacksController } from './callbacks.controller.js';
import { CallbacksRepository } from './callbacks.repository.js';
import { CallbacksService } from './callbacks.service.js';

/**
 * Signed status callbacks to restaurants. Whatever changes an order's status calls `CallbacksService.enqueue` in
 * the same transaction, and `wake` after it commits.
 */
@Module({
  imports: [RestaurantsModule],
  controllers: [CallbacksController],
  providers: [CallbacksService, CallbacksRepository, CallbackSender, CallbackDestinations],
  exports: [CallbacksService, CallbacksRepository],
})
export class CallbacksModule {}
