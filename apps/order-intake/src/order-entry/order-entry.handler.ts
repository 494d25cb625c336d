import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AgencyRestaurantsRequest, OrderEnterRequest, PATTERNS, type AgencyRestaurants } from '#contracts';
import type { StoredAnswer } from '../webhooks/signed-webhooks.js';
import { OrderEntryService } from './order-entry.service.js';

/** Orders the agency's operators enter on the dashboard, forwarded by dispatch, and the restaurants they choose from. */
@Controller()
export class OrderEntryHandler {
  constructor(private readonly entry: OrderEntryService) {}

  @MessagePattern(PATTERNS.ORDER_ENTER)
  enter(@Payload() request: OrderEnterRequest): Promise<StoredAnswer> {
    return this.entry.enter(request.agencyId, request.idempotencyKey, Buffer.from(request.body, 'utf8'), request.operatorId ?? null);
  }

  @MessagePattern(PATTERNS.AGENCY_RESTAURANTS)
  restaurants(@Payload() request: AgencyRestaurantsRequest): Promise<AgencyRestaurants> {
    return this.entry.restaurantsOf(request.agencyId);
  }
}
