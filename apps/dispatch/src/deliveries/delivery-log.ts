import type { LogFields } from '#platform';

/** The ids a log line about a delivery carries (`about` in #platform), so one search finds its order's every line. */
export function deliveryIds(delivery: { id: string; orderId: string }): LogFields {
  return { deliveryId: delivery.id, orderId: delivery.orderId };
}
