import { Controller, Get, Headers, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '#config';
import { ApiErrors, schemaRef } from '#platform';
import { SignedWebhook } from '../intake.api-docs.js';
import { readSignedRequest } from '../webhooks/signed-webhooks.js';
import type { OrderView } from './dto/order.view.js';
import { OrdersService } from './orders.service.js';

const ORDER_ACCEPTED = {
  type: 'object',
  required: ['orderId', 'status'],
  properties: { orderId: { type: 'string', format: 'uuid' }, status: { type: 'string', enum: ['received', 'locating'], description: '`locating` when sent without coordinates' } },
};

@ApiTags('orders')
@Controller('v1/restaurants/:restaurantId/orders')
export class OrdersController {
  constructor(
    private readonly orders: OrdersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * A restaurant's order, signed per Standard Webhooks. The body is read here as raw bytes, because the
   * signature covers them exactly; the status is the service's (202, or the first answer replayed).
   */
  @Post()
  @ApiOperation({
    summary: "A restaurant's order, signed per Standard Webhooks",
    description: 'A redelivery with the same `webhook-id` gets the first answer again and creates nothing (docs/webhooks.md).',
  })
  @SignedWebhook(['ORDER_CONFLICT'])
  @ApiBody({ required: true, schema: schemaRef('CreateOrderRequest') })
  @ApiResponse({ status: 202, description: 'Accepted and stored (or, for a redelivery, the first answer again)', schema: ORDER_ACCEPTED })
  async receive(@Param('restaurantId') restaurantId: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const answer = await this.orders.receive(restaurantId, await readSignedRequest(request, this.config.intake.maxBodyBytes));
    response.status(answer.status).json(answer.body);
  }

  @Get(':orderId')
  @ApiOperation({ summary: 'An order as its restaurant sees it: status and its history, fee, rider' })
  @ApiBearerAuth('restaurantKey')
  @ApiResponse({ status: 200, description: 'The order (docs/webhooks.md#reading-an-order)', schema: { type: 'object', required: ['orderId', 'status', 'statusHistory'] } })
  @ApiErrors(['UNAUTHENTICATED', 'RESTAURANT_DISABLED', 'ORDER_NOT_FOUND'])
  find(
    @Param('restaurantId') restaurantId: string,
    @Param('orderId') orderId: string,
    @Headers('authorization') authorization: string | undefined,
  ): Promise<OrderView> {
    return this.orders.find(authorization, restaurantId, orderId);
  }
}
