import { Module } from '@nestjs/common';
import { DeliveryUpdatesHandler } from './delivery-updates.handler.js';
import { DeliveryUpdatesRepository } from './delivery-updates.repository.js';
import { DeliveryUpdatesService } from './delivery-updates.service.js';

/** Delivery status from dispatch, mirrored on restaurants' orders. */
@Module({
  controllers: [DeliveryUpdatesHandler],
  providers: [DeliveryUpdatesService, DeliveryUpdatesRepository],
})
export class DeliveryUpdatesModule {}
