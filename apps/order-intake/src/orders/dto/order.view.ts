import type { OrderStatus } from '../order-status.js';
import type { OrderFee } from '../order.entity.js';

/** GET /v1/restaurants/{restaurantId}/orders/{orderId}: an order as its restaurant sees it. */
export interface OrderView {
  orderId: string;
  externalOrderId: string;
  status: OrderStatus;
  orderAmount: number;
  dropoff: { address: string; lng: number | null; lat: number | null; detail: string | null };
  fee: OrderFee | null;
  rider: { id: string; name: string } | null;
  statusHistory: Array<{ status: OrderStatus; at: string }>;
  createdAt: string;
  updatedAt: string;
}

/** The answer to an accepted order webhook, stored and replayed to redeliveries. */
export interface OrderAccepted {
  orderId: string;
  status: OrderStatus;
}
