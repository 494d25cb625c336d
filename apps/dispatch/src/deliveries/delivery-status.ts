import { DomainError } from '#platform';

export const DELIVERY_STATUSES = ['pending', 'offered', 'assigned', 'picked_up', 'delivered', 'cancelled'] as const;
/** `pending` waits for a price or a rider; `offered` waits for one rider's answer. */
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

const NEXT: Record<DeliveryStatus, readonly DeliveryStatus[]> = {
  pending: ['offered', 'cancelled'],
  // Back to pending when the offer is declined or expires.
  offered: ['pending', 'assigned', 'cancelled'],
  assigned: ['picked_up', 'cancelled'],
  // Once the food is on the bike, the trip is finished rather than cancelled.
  picked_up: ['delivered'],
  delivered: [],
  cancelled: [],
};

export function canTransition(from: DeliveryStatus, to: DeliveryStatus): boolean {
  return NEXT[from].includes(to);
}

/** Throws INVALID_TRANSITION naming both states when a delivery may not move from `from` to `to`. */
export function assertTransition(from: DeliveryStatus, to: DeliveryStatus): void {
  if (!canTransition(from, to)) {
    throw new DomainError('INVALID_TRANSITION', `a delivery cannot go from ${from} to ${to}`, { from, to });
  }
}

/** Deliveries a rider is carrying: they count against the rider's capacity. */
export const ACTIVE_STATUSES: readonly DeliveryStatus[] = ['assigned', 'picked_up'];
