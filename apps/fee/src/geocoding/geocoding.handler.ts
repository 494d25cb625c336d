import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { FeeGeocodeRequest, PATTERNS, type FeeGeocode } from '#contracts';
import { GeocodingService } from './geocoding.service.js';

@Controller()
export class GeocodingHandler {
  constructor(private readonly geocoding: GeocodingService) {}

  @MessagePattern(PATTERNS.FEE_GEOCODE)
  geocode(@Payload() request: FeeGeocodeRequest): Promise<FeeGeocode> {
    return this.geocoding.geocode(request);
  }
}
