import type { OrderStatus } from '../../orders/order-status.js';
import type { CallbackRecord, CallbackState } from '../callbacks.repository.js';
import type { OrderStatusChangedCallback } from '../status-callback.js';

/** One status callback as its restaurant sees it in GET /v1/restaurants/{restaurantId}/callbacks. */
export interface CallbackView {
  callbackId: string;
  /** The `webhook-id` it is sent with, the same on every try. */
  webhookId: string;
  orderId: string;
  /** The order status it reports. */
  status: OrderStatus;
  state: CallbackState;
  /** Tries since it was queued (or requeued). */
  attempts: number;
  lastAttemptAt: string | null;
  /** The HTTP status your server answered the last try with; null when it did not answer. */
  lastResponseStatus: number | null;
  lastError: string | null;
  /** When the next try is due; null once delivered or undeliverable. */
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
  body: OrderStatusChangedCallback;
}

export interface CallbackUrlView {
  url: string | null;
}

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

export function callbackView(record: CallbackRecord): CallbackView {
  return {
    callbackId: record.id,
    webhookId: record.webhookId,
    orderId: record.orderId,
    status: record.status,
    state: record.state,
    attempts: record.attempts,
    lastAttemptAt: iso(record.lastAttemptAt),
    lastResponseStatus: record.lastResponseStatus,
    lastError: record.lastError,
    nextAttemptAt: iso(record.nextAttemptAt),
    deliveredAt: iso(record.deliveredAt),
    createdAt: record.createdAt.toISOString(),
    body: record.payload,
  };
}
