import { Module } from '@nestjs/common';
import { AgenciesModule } from '../agencies/agencies.module.js';
import { DeliveriesModule } from '../deliveries/deliveries.module.js';
import { LeasesModule } from '../leases/leases.module.js';
import { RidersModule } from '../riders/riders.module.js';
import { DispatchMetrics } from '../metrics/dispatch-metrics.js';
import { DeliveryPricing } from './delivery-pricing.service.js';
import { Dispatcher } from './dispatcher.service.js';
import { OfferReceiptsRepository } from './offer-receipts.repository.js';
import { OfferReceipts } from './offer-receipts.service.js';
import { OffersRepository } from './offers.repository.js';
import { OfferingService } from './offering.service.js';
import { OffersService } from './offers.service.js';
import { PlanningSnapshot } from './planning.snapshot.js';

@Module({
  imports: [AgenciesModule, DeliveriesModule, RidersModule, LeasesModule],
  providers: [OffersRepository, OffersService, PlanningSnapshot, OfferingService, DeliveryPricing, Dispatcher, DispatchMetrics, OfferReceiptsRepository, OfferReceipts],
  exports: [OffersService, DeliveryPricing, DispatchMetrics, OfferReceipts],
})
export class OffersModule {}
