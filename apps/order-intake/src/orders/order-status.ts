/**
 * What a restaurant sees of its order, in the order it normally moves. `locating` comes first: an order that
 * arrived with an address and no coordinates waits in it until the map chain places it, then is `received`.
 */
export const ORDER_STATUSES = ['locating', 'received', 'quoted', 'assigned', 'picked_up', 'delivered', 'cancelled', 'failed'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

const RANK: Record<OrderStatus, number> = { locating: 0, received: 1, quoted: 2, assigned: 3, picked_up: 4, delivered: 5, cancelled: 6, failed: 7 };

/** Statuses an order never leaves. `failed`: the trip was under way and could not be finished. */
export const FINAL_ORDER_STATUSES: readonly OrderStatus[] = ['delivered', 'cancelled', 'failed'];

/**
 * Statuses only move forward, so an event that arrives late cannot undo a newer one. Cancelled and failed are
 * reachable from any state that is not final (a failure may overtake the assignment it follows); delivered,
 * cancelled and failed are final.
 */
export function movesForward(from: OrderStatus, to: OrderStatus): boolean {
  if (FINAL_ORDER_STATUSES.includes(from)) return false;
  if (to === 'cancelled' || to === 'failed') return true;
  return RANK[to] > RANK[from];
}

/** Sorts history entries that share a timestamp in the order the statuses normally follow each other. */
export function statusRank(status: OrderStatus): number {
  return RANK[status];
}
