import type { TimingChange } from '#contracts';
import type { OrderStatus } from '../order-status.js';
import type { LocateError, OrderEnteredBy, OrderFee } from '../order.entity.js';
import type { PaymentMethod } from './create-order.request.js';

/** GET /v1/restaurants/{restaurantId}/orders/{orderId}: an order as its restaurant sees it. */
export interface OrderView {
  orderId: string;
  externalOrderId: string;
  status: OrderStatus;
  orderAmount: number;
  /** `geocodedBy`: the map provider that placed an address-only dropoff. */
  dropoff: { address: string; lng: number | null; lat: number | null; detail: string | null; geocodedBy?: string };
  /** Only while `locating`: the tries at placing the dropoff so far, the last error and when the next is due. */
  locating?: { attempts: number; lastError: LocateError | null; nextAttemptAt: string | null };
  fee: OrderFee | null;
  /** `operator` for an order the restaurant's agency entered by hand (a phone order). */
  enteredBy: OrderEnteredBy;
  /** How the customer pays and what the rider collects; null when the order did not say. */
  payment: { method: PaymentMethod; collectAmount: number } | null;
  rider: { id: string; name: string } | null;
  statusHistory: Array<{ status: OrderStatus; at: string }>;
  /** When the food is ready (as sent, or the restaurant's usual cooking time); null on orders accepted before times were kept. */
  readyAt: string | null;
  /** When the order was promised to the customer; null when the restaurant did not say. */
  promisedAt: string | null;
  /** What the restaurant said after sending the order ("ready now", "delayed"), oldest first. */
  timingHistory: TimingHistoryEntry[];
  createdAt: string;
  updatedAt: string;
}

/** The answer to an accepted order webhook, stored and replayed to redeliveries. */
export interface OrderAccepted {
  orderId: string;
  status: OrderStatus;
}

/** One "ready now" or "delayed by N minutes" a restaurant sent, with the ready time it made. */
export interface TimingHistoryEntry {
  change: TimingChange;
  delayMinutes?: number;
  readyAt: string;
  at: string;
}
