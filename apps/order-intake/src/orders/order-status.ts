/** What a restaurant sees of its order, in the order it normally moves. */
export const ORDER_STATUSES = ['received', 'quoted', 'assigned', 'picked_up', 'delivered', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

const RANK: Record<OrderStatus, number> = { received: 0, quoted: 1, assigned: 2, picked_up: 3, delivered: 4, cancelled: 5 };

/**
 * Statuses only move forward, so an event that arrives late cannot undo a newer one. Cancelled is reachable
 * from any state but delivered; delivered and cancelled are final.
 */
export function movesForward(from: OrderStatus, to: OrderStatus): boolean {
  if (from === 'delivered' || from === 'cancelled') return false;
  if (to === 'cancelled') return true;
  return RANK[to] > RANK[from];
}

/** Sorts history entries that share a timestamp in the order the statuses normally follow each other. */
export function statusRank(status: OrderStatus): number {
  return RANK[status];
}
