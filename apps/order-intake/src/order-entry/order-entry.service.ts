import { Injectable } from '@nestjs/common';
import { IDEMPOTENCY_KEY, type AgencyRestaurants } from '#contracts';
import { DomainError } from '#platform';
import { decodeBody } from '../orders/decode-body.js';
import { validateOrderRequest } from '../orders/dto/create-order.request.js';
import { OrdersService } from '../orders/orders.service.js';
import { assertEnabled, RestaurantsService } from '../restaurants/restaurants.service.js';
import type { StoredAnswer } from '../webhooks/signed-webhooks.js';
import { EnterOrderRequest } from './dto/enter-order.request.js';


/** Kept apart from the restaurant's own webhook-ids, which share the receipts table. */
const receiptKey = (idempotencyKey: string) => `operator:${idempotencyKey}`;

/**
 * Orders an agency's operator enters by hand (phone orders, hand-written tickets) for one of its restaurants. They
 * take the webhook's path from validation on: same rules, one order per idempotency key, the same `order.created`,
 * marked as entered by an operator.
 */
@Injectable()
export class OrderEntryService {
  constructor(
    private readonly restaurants: RestaurantsService,
    private readonly orders: OrdersService,
  ) {}

  /** `operatorId`: who entered it on the dashboard (through dispatch); null for the agency API key. */
  async enter(agencyId: string, idempotencyKey: string | undefined, body: Buffer, operatorId: string | null = null): Promise<StoredAnswer> {
    if (idempotencyKey === undefined || !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw DomainError.validation([{ field: 'Idempotency-Key', value: idempotencyKey, reason: 'header is required: 1 to 200 printable ASCII characters, the same on every retry of this order' }]);
    }
    const receivedAt = new Date();
    const decoded = decodeBody(EnterOrderRequest, body, (plain) => validateOrderRequest(plain, receivedAt, EnterOrderRequest));
    if (!decoded.ok) throw decoded.error;
    const { restaurantId, ...order } = decoded.value;
    const restaurant = await this.restaurants.forWebhook(restaurantId).catch((error: unknown) => {
      if (error instanceof DomainError && error.code === 'RESTAURANT_NOT_FOUND') return null;
      throw error;
    });
    // Another agency's restaurant is as unknown as one that does not exist, so a key tells nothing of others.
    if (!restaurant || restaurant.agencyId !== agencyId.toLowerCase()) {
      throw new DomainError('RESTAURANT_NOT_FOUND', `no restaurant ${restaurantId} in this agency`, { field: 'restaurantId' });
    }
    assertEnabled(restaurant);
    return this.orders.acceptOnce(restaurant, receiptKey(idempotencyKey), order, receivedAt, { enteredBy: 'operator', operatorId });
  }

  /** The agency's restaurants by name, with where their food is picked up. */
  async restaurantsOf(agencyId: string): Promise<AgencyRestaurants> {
    const found = await this.restaurants.ofAgency(agencyId.toLowerCase());
    return { restaurants: found.map(({ id, name, address, lng, lat }) => ({ id, name, address, lng, lat })) };
  }
}
