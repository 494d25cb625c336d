import { Module } from '@nestjs/common';
import { GeocodingController } from './geocoding.controller.js';
import { GeocodingHandler } from './geocoding.handler.js';
import { GeocodingService } from './geocoding.service.js';

/** Addresses to points for order-intake (`fee.geocode`) and as an HTTP preview; the cache lives in RoutingModule's chain. */
@Module({
  controllers: [GeocodingController, GeocodingHandler],
  providers: [GeocodingService],
  exports: [GeocodingService],
})
export class GeocodingModule {}
