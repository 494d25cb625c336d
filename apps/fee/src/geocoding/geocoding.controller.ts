import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { FeeGeocode, FeeGeocodeRequest } from '#contracts';
import { ApiErrors, schemaRef } from '#platform';
import { GeocodingService } from './geocoding.service.js';

@ApiTags('geocoding')
@Controller('v1/geocode')
export class GeocodingController {
  constructor(private readonly geocoding: GeocodingService) {}

  /** The point of an address; the same answer order-intake gets over `fee.geocode`. */
  @Post()
  @ApiOperation({ summary: 'The point of an address, through the map providers, then the geocode cache' })
  @ApiBody({ required: true, schema: schemaRef(FeeGeocodeRequest) })
  @ApiResponse({ status: 200, description: 'The point, with who placed it and what was tried', schema: schemaRef(FeeGeocode) })
  @ApiErrors(['VALIDATION_FAILED', 'ADDRESS_NOT_FOUND', 'UPSTREAM_UNAVAILABLE'])
  @HttpCode(200)
  geocode(@Body() request: FeeGeocodeRequest): Promise<FeeGeocode> {
    return this.geocoding.geocode(request);
  }
}
