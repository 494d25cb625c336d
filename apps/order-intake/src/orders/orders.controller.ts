import { Controller, Get, Headers, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '#config';
import { readRawBody } from '../webhooks/raw-body.js';
import type { WebhookHeaders } from '../webhooks/webhook-signature.js';
import type { OrderView } from './dto/order.view.js';
import { OrdersService } from './orders.service.js';

const header = (request: Request, name: string): string | undefined => {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
};

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
  async receive(@Param('restaurantId') restaurantId: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const body = await readRawBody(request, this.config.intake.maxBodyBytes);
    const headers: WebhookHeaders = {
      id: header(request, 'webhook-id'),
      timestamp: header(request, 'webhook-timestamp'),
      signature: header(request, 'webhook-signature'),
    };
    const answer = await this.orders.receive(restaurantId, headers, body);
    response.status(answer.status).json(answer.body);
  }

  @Get(':orderId')
  find(
    @Param('restaurantId') restaurantId: string,
    @Param('orderId') orderId: string,
    @Headers('authorization') authorization: string | undefined,
  ): Promise<OrderView> {
    return this.orders.find(authorization, restaurantId, orderId);
  }
}
