import { Controller, Get, Headers, Inject, Param, Put, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig } from '#config';
import { ApiErrors, schemaRef } from '#platform';
import { readRawBody } from '../webhooks/raw-body.js';
import type { CookingTimeView } from './dto/set-cooking-time.request.js';
import { RestaurantsService } from './restaurants.service.js';

/** A setting is a few bytes; order-intake reads bodies itself (see main.ts). */
const MAX_BODY_BYTES = 1024;

const COOKING_TIME = {
  type: 'object',
  required: ['minutes', 'defaultMinutes'],
  properties: {
    minutes: { type: ['integer', 'null'], description: "The restaurant's usual cooking time; null: `defaultMinutes` applies" },
    defaultMinutes: { type: 'integer', description: "The service's default (DEFAULT_COOKING_MINUTES)" },
  },
};

/** A restaurant's own settings, with its API key. */
@ApiTags('restaurants')
@ApiBearerAuth('restaurantKey')
@Controller('v1/restaurants/:restaurantId')
export class RestaurantsController {
  constructor(
    private readonly restaurants: RestaurantsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('cooking-time')
  @ApiOperation({ summary: 'The usual cooking time: the ready time of orders sent without one' })
  @ApiResponse({ status: 200, description: 'The cooking time', schema: COOKING_TIME })
  @ApiErrors(['UNAUTHENTICATED', 'RESTAURANT_DISABLED', 'RESTAURANT_NOT_FOUND'])
  cookingTime(@Param('restaurantId') restaurantId: string, @Headers('authorization') authorization: string | undefined): Promise<CookingTimeView> {
    return this.restaurants.cookingTime(authorization, restaurantId);
  }

  @Put('cooking-time')
  @ApiOperation({ summary: 'Sets the usual cooking time (null: the service default)' })
  @ApiBody({ required: true, schema: schemaRef('SetCookingTimeRequest') })
  @ApiResponse({ status: 200, description: 'The cooking time as stored', schema: COOKING_TIME })
  @ApiErrors(['UNAUTHENTICATED', 'RESTAURANT_DISABLED', 'RESTAURANT_NOT_FOUND', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'INVALID_JSON', 'VALIDATION_FAILED'])
  async setCookingTime(
    @Param('restaurantId') restaurantId: string,
    @Headers('authorization') authorization: string | undefined,
    @Req() request: Request,
  ): Promise<CookingTimeView> {
    return this.restaurants.setCookingTime(authorization, restaurantId, await readRawBody(request, Math.min(MAX_BODY_BYTES, this.config.intake.maxBodyBytes)));
  }
}
