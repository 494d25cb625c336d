import { Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig } from '#config';
import { ApiErrors, schemaRef } from '#platform';
import { CALLBACK_STATES } from './callbacks.repository.js';
import { readRawBody } from '../webhooks/raw-body.js';
import { CallbacksService } from './callbacks.service.js';
import type { CallbackUrlView, CallbackView } from './dto/callback.view.js';

/** A callback URL and then some; order-intake reads bodies itself (see main.ts). */
const MAX_BODY_BYTES = 8 * 1024;

const URL_VIEW = { type: 'object', required: ['url'], properties: { url: { type: ['string', 'null'], format: 'uri' } } };
const CALLBACK_VIEW = {
  type: 'object',
  description: 'One callback: its state, tries, last answer and body (docs/webhooks.md#status-callbacks)',
  required: ['callbackId', 'webhookId', 'orderId', 'status', 'state', 'attempts', 'body'],
  properties: {
    callbackId: { type: 'string', format: 'uuid' },
    webhookId: { type: 'string' },
    orderId: { type: 'string', format: 'uuid' },
    status: { type: 'string' },
    state: { type: 'string', enum: [...CALLBACK_STATES] },
    attempts: { type: 'integer' },
    lastAttemptAt: { type: ['string', 'null'], format: 'date-time' },
    lastResponseStatus: { type: ['integer', 'null'] },
    lastError: { type: ['string', 'null'] },
    nextAttemptAt: { type: ['string', 'null'], format: 'date-time' },
    deliveredAt: { type: ['string', 'null'], format: 'date-time' },
    createdAt: { type: 'string', format: 'date-time' },
    body: schemaRef('OrderStatusChangedCallback'),
  },
};

/** A restaurant's status callbacks, with its API key: where they go, how they went, and retrying one. */
@ApiTags('status callbacks')
@ApiBearerAuth('restaurantKey')
@Controller('v1/restaurants/:restaurantId')
export class CallbacksController {
  constructor(
    private readonly callbacks: CallbacksService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('callback')
  @ApiOperation({ summary: 'Where status callbacks are sent (null: nowhere)' })
  @ApiResponse({ status: 200, description: 'The callback URL', schema: URL_VIEW })
  @ApiErrors(['UNAUTHENTICATED', 'RESTAURANT_DISABLED', 'RESTAURANT_NOT_FOUND'])
  url(@Param('restaurantId') restaurantId: string, @Headers('authorization') authorization: string | undefined): Promise<CallbackUrlView> {
    return this.callbacks.url(authorization, restaurantId);
  }

  @Put('callback')
  @ApiOperation({ summary: 'Sets where status callbacks are sent' })
  @ApiBody({ required: true, schema: schemaRef('SetCallbackUrlRequest') })
  @ApiResponse({ status: 200, description: 'The callback URL as stored', schema: URL_VIEW })
  @ApiErrors(['UNAUTHENTICATED', 'RESTAURANT_DISABLED', 'RESTAURANT_NOT_FOUND', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'INVALID_JSON', 'VALIDATION_FAILED'])
  async setUrl(
    @Param('restaurantId') restaurantId: string,
    @Headers('authorization') authorization: string | undefined,
    @Req() request: Request,
  ): Promise<CallbackUrlView> {
    return this.callbacks.setUrl(authorization, restaurantId, await readRawBody(request, Math.min(MAX_BODY_BYTES, this.config.intake.maxBodyBytes)));
  }

  @Delete('callback')
  @ApiOperation({ summary: 'Stops status callbacks; pending ones are given up' })
  @ApiResponse({ status: 200, description: 'Removed, with how many pending callbacks were given up', schema: { type: 'object' } })
  @ApiErrors(['UNAUTHENTICATED', 'RESTAURANT_DISABLED', 'RESTAURANT_NOT_FOUND'])
  removeUrl(@Param('restaurantId') restaurantId: string, @Headers('authorization') authorization: string | undefined) {
    return this.callbacks.removeUrl(authorization, restaurantId);
  }

  @Get('callbacks')
  @ApiOperation({ summary: "The restaurant's status callbacks, newest first" })
  @ApiQuery({ name: 'state', required: false, enum: [...CALLBACK_STATES] })
  @ApiQuery({ name: 'orderId', required: false, schema: { type: 'string', format: 'uuid' } })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } })
  @ApiResponse({ status: 200, description: 'The callbacks', schema: { type: 'object', required: ['callbacks'], properties: { callbacks: { type: 'array', items: CALLBACK_VIEW } } } })
  @ApiErrors(['UNAUTHENTICATED', 'RESTAURANT_DISABLED', 'RESTAURANT_NOT_FOUND', 'VALIDATION_FAILED'])
  list(
    @Param('restaurantId') restaurantId: string,
    @Headers('authorization') authorization: string | undefined,
    @Query() query: Record<string, unknown>,
  ): Promise<{ callbacks: CallbackView[] }> {
    return this.callbacks.list(authorization, restaurantId, query);
  }

  @Post('callbacks/:callbackId/retry')
  @ApiOperation({ summary: 'Sends an undeliverable callback again, from its first try' })
  @ApiResponse({ status: 202, description: 'Queued again', schema: CALLBACK_VIEW })
  @ApiErrors(['UNAUTHENTICATED', 'RESTAURANT_DISABLED', 'RESTAURANT_NOT_FOUND', 'NOT_FOUND', 'INVALID_TRANSITION'])
  @HttpCode(202)
  retry(
    @Param('restaurantId') restaurantId: string,
    @Param('callbackId') callbackId: string,
    @Headers('authorization') authorization: string | undefined,
  ): Promise<CallbackView> {
    return this.callbacks.retry(authorization, restaurantId, callbackId);
  }
}
