import type { OrderStatus } from '../orders/order-status.js';
import type { OrderFee } from '../orders/order.entity.js';

/**
 * The body of a status callback, as the restaurant receives it. It says what changed and what the restaurant
 * needs to act on it (the fee, the rider), never the customer's phone or address.
 */
export interface OrderStatusChangedCallback {
  type: 'order.status_changed';
  orderId: string;
  externalOrderId: string;
  status: OrderStatus;
  previousStatus?: OrderStatus;
  /** When the order reached `status` (ISO 8601). */
  at: string;
  /** Why, on `failed` and on a `cancelled` that gives one, as the rider or the agency said. */
  reason?: string;
  fee?: OrderFee;
  rider?: { id: string; name: string };
}

/** What the order looks like once the change is written, as far as a callback tells. */
export interface OrderForCallback {
  restaurantId: string;
  externalOrderId: string;
  fee: OrderFee | null;
  rider: { id: string; name: string } | null;
}

export interface StatusChange {
  orderId: string;
  status: OrderStatus;
  previousStatus?: OrderStatus;
  at: Date;
  reason?: string;
}

export function statusChangedCallback(order: OrderForCallback, change: StatusChange): OrderStatusChangedCallback {
  const { fee, rider } = order;
  return {
    type: 'order.status_changed',
    orderId: change.orderId,
    externalOrderId: order.externalOrderId,
    status: change.status,
    ...(change.previousStatus ? { previousStatus: change.previousStatus } : {}),
    at: change.at.toISOString(),
    ...(change.reason ? { reason: change.reason } : {}),
    ...(fee ? { fee: { total: fee.total, currency: fee.currency, distanceMeters: fee.distanceMeters, provider: fee.provider, estimated: fee.estimated } } : {}),
    ...(rider ? { rider: { id: rider.id, name: rider.name } } : {}),
  };
}
