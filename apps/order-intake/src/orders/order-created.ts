import type { LngLat, OrderCreatedEvent } from '#contracts';
import type { RestaurantEntity } from '../restaurants/restaurant.entity.js';
import type { PaymentMethod } from './dto/create-order.request.js';
import type { OrderEnteredBy } from './order.entity.js';

/** What `order.created` says of an order, before the outbox gives it an id and time. */
export type OrderCreatedPayload = Omit<OrderCreatedEvent, 'eventId' | 'occurredAt'>;

export interface PlacedOrder {
  id: string;
  externalOrderId: string;
  dropoff: LngLat & { address: string; detail?: string };
  orderAmount: number;
  note?: string;
  /** Null on orders accepted before times were kept. */
  readyAt: Date | null;
  promisedAt: Date | null;
  customerPhone?: string | null;
  payment?: { method: PaymentMethod; collectAmount: number } | null;
  enteredBy?: OrderEnteredBy;
}

/**
 * The `order.created` payload for an order whose dropoff is placed: written by intake on accepting an order with
 * coordinates, and by the locator once it has placed an address-only one, so both say the same thing.
 */
export function orderCreatedPayload(restaurant: Pick<RestaurantEntity, 'id' | 'agencyId' | 'name' | 'address' | 'lng' | 'lat'>, order: PlacedOrder): OrderCreatedPayload {
  const { dropoff } = order;
  return {
    orderId: order.id,
    agencyId: restaurant.agencyId,
    restaurantId: restaurant.id,
    restaurantName: restaurant.name,
    externalOrderId: order.externalOrderId,
    pickup: { lng: restaurant.lng, lat: restaurant.lat, address: restaurant.address },
    dropoff: { lng: dropoff.lng, lat: dropoff.lat, address: dropoff.address, detail: dropoff.detail },
    orderAmount: order.orderAmount,
    note: order.note,
    ...(order.readyAt ? { readyAt: order.readyAt.toISOString() } : {}),
    ...(order.promisedAt ? { promisedAt: order.promisedAt.toISOString() } : {}),
    ...(order.customerPhone ? { customerPhone: order.customerPhone } : {}),
    ...(order.payment ? { payment: order.payment } : {}),
    ...(order.enteredBy === 'operator' ? { enteredBy: 'operator' as const } : {}),
  };
}
