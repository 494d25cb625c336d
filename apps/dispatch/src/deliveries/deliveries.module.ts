import { Module } from '@nestjs/common';
import { AgenciesModule } from '../agencies/agencies.module.js';
import { RidersModule } from '../riders/riders.module.js';
import { DeliveriesConsumer } from './deliveries.consumer.js';
import { DeliveriesController } from './deliveries.controller.js';
import { DeliveriesRepository } from './deliveries.repository.js';
import { DeliveriesService } from './deliveries.service.js';
import { DeliveryEvents } from './delivery-events.js';
import { DeliveryTimingService } from './delivery-timing.service.js';
import { DeliveryOperationsRepository } from './delivery-operations.repository.js';
import { DeliveryOperations } from './delivery-operations.service.js';
import { DeliveryTransitionsRepository } from './delivery-transitions.repository.js';
import { DeliveryTransitions } from './delivery-transitions.service.js';

@Module({
  imports: [AgenciesModule, RidersModule],
  controllers: [DeliveriesController, DeliveriesConsumer],
  providers: [DeliveriesRepository, DeliveriesService, DeliveryEvents, DeliveryTransitionsRepository, DeliveryTransitions, DeliveryOperationsRepository, DeliveryOperations, DeliveryTimingService],
  exports: [DeliveriesRepository, DeliveriesService, DeliveryEvents, DeliveryTransitions, DeliveryOperations],
})
export class DeliveriesModule {}
