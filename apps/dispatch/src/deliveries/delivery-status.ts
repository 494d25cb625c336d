import { DomainError } from '#platform';

export const DELIVERY_STATUSES = ['pending', 'offered', 'assigned', 'picked_up', 'delivered', 'cancelled', 'failed'] as const;
/**
 * `pending` waits for a price or a rider; `offered` waits for one rider's answer. `delivered`, `cancelled` and
 * `failed` are final: `failed` is a trip that was under way and could not be finished (the customer could not be
 * reached, the rider crashed).
 */
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

const NEXT: Record<DeliveryStatus, readonly DeliveryStatus[]> = {
  // Straight to assigned when the agency assigns it by hand.
  pending: ['offered', 'assigned', 'cancelled'],
  // Back to pending when the offer is declined or expires.
  offered: ['pending', 'assigned', 'cancelled'],
  // Assigned to assigned is a reassignment to another rider; back to pending when the agency takes it back.
  assigned: ['pending', 'assigned', 'picked_up', 'cancelled', 'failed'],
  // Once the food is on the bike, the trip is finished (or failed) rather than cancelled.
  picked_up: ['delivered', 'failed'],
  delivered: [],
  cancelled: [],
  failed: [],
};

export function nextStatuses(from: DeliveryStatus): readonly DeliveryStatus[] {
  return NEXT[from];
}

export function canTransition(from: DeliveryStatus, to: DeliveryStatus): boolean {
  return NEXT[from].includes(to);
}

/** Throws INVALID_TRANSITION naming both states and the ones `from` may go to when `from` -> `to` is refused. */
export function assertTransition(from: DeliveryStatus, to: DeliveryStatus): void {
  if (canTransition(from, to)) return;
  const allowed = NEXT[from];
  const next = allowed.length > 0 ? `it may go to ${allowed.join(', ')}` : `${from} is final`;
  throw new DomainError('INVALID_TRANSITION', `a delivery cannot go from ${from} to ${to}; ${next}`, { from, to, allowed: [...allowed] });
}

/** Deliveries a rider is carrying: they count against the rider's capacity. */
export const ACTIVE_STATUSES: readonly DeliveryStatus[] = ['assigned', 'picked_up'];

/** Statuses a delivery never leaves. */
export const FINAL_STATUSES: readonly DeliveryStatus[] = ['delivered', 'cancelled', 'failed'];
