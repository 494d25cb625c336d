/**
 * What a restaurant sees of its order, in the order it normally moves. `locating` comes first: an order that
 * arrived with an address and no coordinates waits in it until the map chain places it, then is `received`.
 */
export const ORDER_STATUSES = ['locating', 'received', 'quoted', 'assigned', 'picked_up', 'delivered', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

const RANK: Record<OrderStatus, number> = { locating: 0, received: 1, quoted: 2, assigned: 3, picked_up: 4, delivered: 5, cancelled: 6 };

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
