import { Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post, Put, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig } from '#config';
import { readRawBody } from '../webhooks/raw-body.js';
import { CallbacksService } from './callbacks.service.js';
import type { CallbackUrlView, CallbackView } from './dto/callback.view.js';

/** A callback URL and then some; order-intake reads bodies itself (see main.ts). */
const MAX_BODY_BYTES = 8 * 1024;

/** A restaurant's status callbacks, with its API key: where they go, how they went, and retrying one. */
@Controller('v1/restaurants/:restaurantId')
export class CallbacksController {
  constructor(
    private readonly callbacks: CallbacksService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('callback')
  url(@Param('restaurantId') restaurantId: string, @Headers('authorization') authorization: string | undefined): Promise<CallbackUrlView> {
    return this.callbacks.url(authorization, restaurantId);
  }

  @Put('callback')
  async setUrl(
    @Param('restaurantId') restaurantId: string,
    @Headers('authorization') authorization: string | undefined,
    @Req() request: Request,
  ): Promise<CallbackUrlView> {
    return this.callbacks.setUrl(authorization, restaurantId, await readRawBody(request, Math.min(MAX_BODY_BYTES, this.config.intake.maxBodyBytes)));
  }

  @Delete('callback')
  removeUrl(@Param('restaurantId') restaurantId: string, @Headers('authorization') authorization: string | undefined) {
    return this.callbacks.removeUrl(authorization, restaurantId);
  }

  @Get('callbacks')
  list(
    @Param('restaurantId') restaurantId: string,
    @Headers('authorization') authorization: string | undefined,
    @Query() query: Record<string, unknown>,
  ): Promise<{ callbacks: CallbackView[] }> {
    return this.callbacks.list(authorization, restaurantId, query);
  }

  @Post('callbacks/:callbackId/retry')
  @HttpCode(202)
  retry(
    @Param('restaurantId') restaurantId: string,
    @Param('callbackId') callbackId: string,
    @Headers('authorization') authorization: string | undefined,
  ): Promise<CallbackView> {
    return this.callbacks.retry(authorization, restaurantId, callbackId);
  }
}
