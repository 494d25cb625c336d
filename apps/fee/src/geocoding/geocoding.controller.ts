import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { FeeGeocodeRequest, type FeeGeocode } from '#contracts';
import { GeocodingService } from './geocoding.service.js';

@Controller('v1/geocode')
export class GeocodingController {
  constructor(private readonly geocoding: GeocodingService) {}

  /** The point of an address; the same answer order-intake gets over `fee.geocode`. */
  @Post()
  @HttpCode(200)
  geocode(@Body() request: FeeGeocodeRequest): Promise<FeeGeocode> {
    return this.geocoding.geocode(request);
  }
}
