import type { PlannerGeometry, PlannerPolicy, WaitingDelivery } from './planner.types.js';

/** A stop of a bundle's route: a pickup (all its deliveries at one restaurant) or one drop-off. */
export interface BundleStop<P> {
  kind: 'pickup' | 'dropoff';
  placeId: string;
  position: P;
  deliveryIds: string[];
  /** For a pickup, when the last of its food is ready. */
  readyAt: number;
}

/**
 * Deliveries one rider would carry together: pickups in order of readiness, then drop-offs in the order that
 * delays them least. Everything after the first pickup is the same whoever rides it, so it is measured once.
 */
export interface Bundle<P> {
  key: string;
  /** In drop-off order. */
  deliveries: WaitingDelivery<P>[];
  stops: BundleStop<P>[];
  /** Seconds from each stop to the next. */
  legs: number[];
  /** Per delivery (drop-off order): the earliest it could arrive (a rider waiting at the pickup as the food is ready). */
  earliest: number[];
  /** Per delivery: its promise, and when it becomes overdue. */
  promised: number[];
  overdue: number[];
}

/** Cost weights, in seconds of delay per second of each part. */
export const WEIGHTS = {
  /** A second past a promise that could have been kept counts this much on top of the delay itself. */
  pastPromise: 2,
  /** A second past the longest a delivery may take counts this much more again: the oldest go first. */
  overdue: 10,
  /** A second of a rider's time when riders are plentiful: it is what serves the next orders. */
  riderSecond: 0.1,
  /** At most this many seconds of credit to a rider idle the longest (fairness stays secondary to delay). */
  fairness: 30,
  /** Idle this long or longer earns the full credit. */
  fairnessFullSeconds: 1800,
} as const;

/** When each stop happens and when the rider is done, for a rider reaching the first stop at `arrival`. */
export interface TimedRoute {
  /** The moment of each stop (pickup or drop-off). */
  at: number[];
  /** Per delivery (drop-off order). */
  dropoffAt: number[];
  /** When the rider leaves its last drop-off. */
  doneAt: number;
}

export function timeRoute<P>(bundle: Bundle<P>, arrival: number, policy: PlannerPolicy): TimedRoute {
  const halfPickup = policy.pickupServiceSeconds / 2;
  const halfDropoff = policy.dropoffServiceSeconds / 2;
  const at: number[] = [];
  const dropoffAt: number[] = [];
  let t = arrival;
  for (let k = 0; k < bundle.stops.length; k++) {
    const stop = bundle.stops[k]!;
    if (k > 0) t += bundle.legs[k - 1]!;
    if (stop.kind === 'pickup') {
      const moment = Math.max(t + halfPickup, stop.readyAt);
      at.push(moment);
      t = moment + halfPickup;
    } else {
      const moment = t + halfDropoff;
      at.push(moment);
      dropoffAt.push(moment);
      t = moment + halfDropoff;
    }
  }
  return { at, dropoffAt, doneAt: t };
}

/** Seconds of delay over the earliest possible, and seconds past promises that could have been kept. */
export interface RouteDelay {
  delay: number;
  pastPromise: number;
  overdue: number;
}

/** Seconds of delay over the earliest possible, past promises that could have been kept, and overdue. */
export function routeDelay<P>(bundle: Bundle<P>, dropoffAt: readonly number[]): RouteDelay {
  let delay = 0;
  let pastPromise = 0;
  let overdue = 0;
  for (let i = 0; i < dropoffAt.length; i++) {
    const earliest = bundle.earliest[i]!;
    delay += dropoffAt[i]! - earliest;
    pastPromise += Math.max(0, dropoffAt[i]! - Math.max(bundle.promised[i]!, earliest));
    overdue += Math.max(0, dropoffAt[i]! - Math.max(bundle.overdue[i]!, earliest));
  }
  return { delay, pastPromise, overdue };
}

/** The delay part of a route's cost: the delay plus the weighted seconds past promises and overdue. */
export const delayCost = (d: RouteDelay) => d.delay + WEIGHTS.pastPromise * d.pastPromise + WEIGHTS.overdue * d.overdue;

/** Bundles of at most this many deliveries get every drop-off order tried; larger ones go nearest first. */
const EXHAUSTIVE_UP_TO = 5;

/**
 * The bundle of these deliveries: pickups by readiness, and the drop-off order that costs least for a rider who
 * reaches the first pickup as its food is ready (a later arrival shifts every time after it alike).
 */
export function buildBundle<P>(deliveries: readonly WaitingDelivery<P>[], geometry: PlannerGeometry<P>, policy: PlannerPolicy): Bundle<P> {
  const byRestaurant = new Map<string, WaitingDelivery<P>[]>();
  for (const d of deliveries) byRestaurant.set(d.restaurantId, [...(byRestaurant.get(d.restaurantId) ?? []), d]);
  const pickups: BundleStop<P>[] = [...byRestaurant.entries()]
    .map(([restaurantId, group]) => ({
      kind: 'pickup' as const,
      placeId: restaurantId,
      position: group[0]!.pickup,
      deliveryIds: group.map((d) => d.id),
      readyAt: Math.max(...group.map((d) => d.readyAt)),
    }))
    .sort((a, b) => a.readyAt - b.readyAt || compareIds(a.placeId, b.placeId));

  const orders = deliveries.length <= EXHAUSTIVE_UP_TO ? permutations([...deliveries]) : [nearestFirst(deliveries, pickups.at(-1)!.position, geometry)];
  let best: Bundle<P> | undefined;
  let bestCost = Infinity;
  for (const order of orders) {
    const candidate = assemble(order, pickups, geometry, policy);
    const first = candidate.stops[0]!;
    const cost = delayCost(routeDelay(candidate, timeRoute(candidate, first.readyAt - policy.pickupServiceSeconds / 2, policy).dropoffAt));
    if (cost < bestCost) {
      best = candidate;
      bestCost = cost;
    }
  }
  return best!;
}

function assemble<P>(order: WaitingDelivery<P>[], pickups: BundleStop<P>[], geometry: PlannerGeometry<P>, policy: PlannerPolicy): Bundle<P> {
  const stops: BundleStop<P>[] = [
    ...pickups,
    ...order.map((d) => ({ kind: 'dropoff' as const, placeId: d.id, position: d.dropoff, deliveryIds: [d.id], readyAt: d.readyAt })),
  ];
  const legs = stops.slice(1).map((stop, k) => geometry.travelSeconds(stops[k]!.position, stop.position));
  return {
    key: bundleKey(order),
    deliveries: order,
    stops,
    legs,
    earliest: order.map((d) => earliestDropoff(d, geometry, policy)),
    promised: order.map((d) => d.promisedAt ?? d.placedAt + policy.promiseSeconds),
    overdue: order.map((d) => d.placedAt + policy.overdueSeconds),
  };
}

/** The earliest a delivery could arrive: a rider waiting at the pickup as the food is ready, riding straight there. */
export function earliestDropoff<P>(d: WaitingDelivery<P>, geometry: PlannerGeometry<P>, policy: PlannerPolicy): number {
  return d.readyAt + policy.pickupServiceSeconds / 2 + geometry.travelSeconds(d.pickup, d.dropoff) + policy.dropoffServiceSeconds / 2;
}

function nearestFirst<P>(deliveries: readonly WaitingDelivery<P>[], from: P, geometry: PlannerGeometry<P>): WaitingDelivery<P>[] {
  const left = [...deliveries];
  const order: WaitingDelivery<P>[] = [];
  let at = from;
  while (left.length > 0) {
    let best = 0;
    for (let i = 1; i < left.length; i++) if (geometry.travelSeconds(at, left[i]!.dropoff) < geometry.travelSeconds(at, left[best]!.dropoff)) best = i;
    const [next] = left.splice(best, 1);
    order.push(next!);
    at = next!.dropoff;
  }
  return order;
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

/** A bundle's identity: its deliveries' ids, sorted. */
export const bundleKey = (deliveries: readonly { id: string }[]) =>
  deliveries
    .map((d) => d.id)
    .sort(compareIds)
    .join(' ');

/** Ids in a fixed order, whatever the locale. */
export const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
