import { Controller, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '#config';
import { schemaRef } from '#platform';
import { SignedWebhook } from '../intake.api-docs.js';
import { readSignedRequest } from '../webhooks/signed-webhooks.js';
import { TimingService } from './timing.service.js';

const TIMING_CHANGED = {
  type: 'object',
  required: ['orderId', 'change', 'readyAt', 'promisedAt'],
  properties: {
    orderId: { type: 'string', format: 'uuid' },
    change: { type: 'string', enum: ['ready', 'delayed'] },
    delayMinutes: { type: 'integer', description: 'On `delayed`: the minutes sent' },
    readyAt: { type: 'string', format: 'date-time', description: "The order's ready time now" },
    promisedAt: { type: ['string', 'null'], format: 'date-time' },
  },
};

/** A restaurant's signed "ready now" and "delayed by N minutes" for one of its orders (docs/webhooks.md). */
@ApiTags('orders')
@Controller('v1/restaurants/:restaurantId/orders/:orderId')
export class TimingController {
  constructor(
    private readonly timing: TimingService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('ready')
  @ApiOperation({
    summary: "The order's food is ready now, signed per Standard Webhooks",
    description: 'The body is empty or `{}`. A redelivery with the same `webhook-id` gets the first answer again (docs/webhooks.md#ready-and-delayed).',
  })
  @SignedWebhook(['ORDER_NOT_FOUND', 'ORDER_TIMING_CLOSED'])
  @ApiBody({ required: false, schema: { type: 'object' } })
  @ApiResponse({ status: 200, description: 'Ready time set to now (or, for a redelivery, the first answer again)', schema: TIMING_CHANGED })
  async ready(@Param('restaurantId') restaurantId: string, @Param('orderId') orderId: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const answer = await this.timing.ready(restaurantId, orderId, await readSignedRequest(request, this.config.intake.maxBodyBytes));
    response.status(answer.status).json(answer.body);
  }

  @Post('delay')
  @ApiOperation({
    summary: "The order's food will be ready N minutes later than said, signed per Standard Webhooks",
    description: 'Counted from the ready time said before, or from now once that has passed (docs/webhooks.md#ready-and-delayed).',
  })
  @SignedWebhook(['ORDER_NOT_FOUND', 'ORDER_TIMING_CLOSED'])
  @ApiBody({ required: true, schema: schemaRef('DelayOrderRequest') })
  @ApiResponse({ status: 200, description: 'Ready time moved (or, for a redelivery, the first answer again)', schema: TIMING_CHANGED })
  async delay(@Param('restaurantId') restaurantId: string, @Param('orderId') orderId: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const answer = await this.timing.delay(restaurantId, orderId, await readSignedRequest(request, this.config.intake.maxBodyBytes));
    response.status(answer.status).json(answer.body);
  }
}
