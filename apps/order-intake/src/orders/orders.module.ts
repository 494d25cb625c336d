import { Module } from '@nestjs/common';
import { LocatingModule } from '../locating/locating.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { IntakeMetrics } from '../metrics/intake-metrics.js';
import { OrdersController } from './orders.controller.js';
import { OrdersRepository } from './orders.repository.js';
import { OrdersService } from './orders.service.js';

/** Restaurants' orders: signed webhooks in, status out. */
@Module({
  imports: [WebhooksModule, LocatingModule],
  controllers: [OrdersController],
  providers: [OrdersService, OrdersRepository, IntakeMetrics],
  exports: [OrdersService],
})
export class OrdersModule {}
