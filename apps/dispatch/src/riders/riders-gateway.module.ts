import { Module } from '@nestjs/common';
import { DeliveriesModule } from '../deliveries/deliveries.module.js';
import { OffersModule } from '../offers/offers.module.js';
import { RidersGateway } from './riders.gateway.js';
import { RidersModule } from './riders.module.js';

/** The rider socket edge: it reaches into riders, offers and deliveries, so it sits above all three. */
@Module({
  imports: [RidersModule, OffersModule, DeliveriesModule],
  providers: [RidersGateway],
})
export class RidersGatewayModule {}
