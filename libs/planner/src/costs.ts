import type { CostTerms, PlannerGeometry, PlannerPolicy, PlannerRider } from './planner.types.js';
import { delayCost, routeDelay, timeRoute, WEIGHTS, type Bundle, type TimedRoute } from './route.js';

/** A rider as a round sees it: from when and where it can start a bundle, and what limits it. */
export interface Candidate<P> {
  rider: PlannerRider<P>;
  availableAt: number;
  availableFrom: P;
  /** Whether an offer may go to it now (free now, or busy where the agency offers to busy riders). */
  offerable: boolean;
  /** Deliveries it may still take. */
  room: number;
  shiftEnd: number;
  /** Seconds of cost credited to it for having been idle long (fairness). */
  fairness: number;
}

/** The parts of one rider × bundle cost, filled in by `costOf` without allocating (it runs for every pair). */
export interface CostParts {
  departAt: number;
  emptyRide: number;
  delay: number;
  pastPromise: number;
  overdue: number;
  riderTime: number;
}

export const emptyParts = (): CostParts => ({ departAt: 0, emptyRide: 0, delay: 0, pastPromise: 0, overdue: 0, riderTime: 0 });

/**
 * What giving the bundle to the rider costs, in seconds, with its parts in `parts`, for a rider `emptyRide` seconds
 * from the bundle's first pickup; Infinity when the rider may
 * not take it (declined one of its deliveries, no room, or a pickup after its shift). The rider leaves as late
 * as still reaches the first pickup as the food is ready, or as soon as it is free if that is already too late:
 * an early rider would only wait at the restaurant. The cost is the delay over the earliest each delivery could
 * arrive, the weighted seconds past promises that could have been kept and past overdue, and the rider's time
 * from when it is free to its last drop-off at `riderSecond` each, less its fairness credit.
 */
export function costOf<P>(
  candidate: Candidate<P>,
  bundle: Bundle<P>,
  emptyRide: number,
  riderSecond: number,
  policy: PlannerPolicy,
  parts: CostParts,
): number {
  if (bundle.deliveries.length > candidate.room) return Infinity;
  for (const d of bundle.deliveries) if (d.declinedBy !== undefined && d.declinedBy.includes(candidate.rider.id)) return Infinity;
  const halfPickup = policy.pickupServiceSeconds / 2;
  const halfDropoff = policy.dropoffServiceSeconds / 2;
  const first = bundle.stops[0]!;
  const departAt = Math.max(candidate.availableAt, first.readyAt - halfPickup - emptyRide);
  let t = departAt + emptyRide;
  let delay = 0;
  let pastPromise = 0;
  let overdue = 0;
  let i = 0;
  for (let k = 0; k < bundle.stops.length; k++) {
    const stop = bundle.stops[k]!;
    if (k > 0) t += bundle.legs[k - 1]!;
    if (stop.kind === 'pickup') {
      const moment = Math.max(t + halfPickup, stop.readyAt);
      if (moment > candidate.shiftEnd) return Infinity;
      t = moment + halfPickup;
    } else {
      const moment = t + halfDropoff;
      const earliest = bundle.earliest[i]!;
      delay += moment - earliest;
      if (moment > bundle.promised[i]! && moment > earliest) pastPromise += moment - Math.max(bundle.promised[i]!, earliest);
      if (moment > bundle.overdue[i]! && moment > earliest) overdue += moment - Math.max(bundle.overdue[i]!, earliest);
      i++;
      t = moment + halfDropoff;
    }
  }
  parts.departAt = departAt;
  parts.emptyRide = emptyRide;
  parts.delay = delay;
  parts.pastPromise = pastPromise;
  parts.overdue = overdue;
  parts.riderTime = t - candidate.availableAt;
  return delay + WEIGHTS.pastPromise * pastPromise + WEIGHTS.overdue * overdue + riderSecond * parts.riderTime - candidate.fairness;
}

/** A rider's option for a bundle in full: when it leaves, the route's times and the cost part by part. */
export interface Option {
  departAt: number;
  route: TimedRoute;
  terms: CostTerms;
}

export function optionFor<P>(candidate: Candidate<P>, bundle: Bundle<P>, riderSecond: number, geometry: PlannerGeometry<P>, policy: PlannerPolicy): Option | null {
  const parts = emptyParts();
  const total = costOf(candidate, bundle, geometry.travelSeconds(candidate.availableFrom, bundle.stops[0]!.position), riderSecond, policy, parts);
  if (total === Infinity) return null;
  const route = timeRoute(bundle, parts.departAt + parts.emptyRide, policy);
  const { departAt, ...rest } = parts;
  return {
    departAt,
    route,
    terms: { ...rest, pickupLate: Math.max(0, route.at[0]! - bundle.stops[0]!.readyAt), riderSecond, fairness: candidate.fairness, total },
  };
}

/**
 * What leaving a bundle without a rider this round is taken to cost: as if a rider as near as its nearest one
 * came free for it at the end of the horizon. A bundle waits only when that costs less than any rider can do
 * now (its food is ready late enough), or when its riders are better used elsewhere; the more its wait would
 * delay it, the sooner it is served. `delay` says how much later than at best waiting would deliver it.
 */
export function holdCost<P>(bundle: Bundle<P>, nearestRide: number, riderSecond: number, now: number, policy: PlannerPolicy): { total: number; delay: number } {
  const first = bundle.stops[0]!;
  const freeAt = now + policy.horizonSeconds;
  const departAt = Math.max(freeAt, first.readyAt - policy.pickupServiceSeconds / 2 - nearestRide);
  const route = timeRoute(bundle, departAt + nearestRide, policy);
  const delayed = routeDelay(bundle, route.dropoffAt);
  const onTime = routeDelay(bundle, timeRoute(bundle, first.readyAt - policy.pickupServiceSeconds / 2, policy).dropoffAt);
  return { total: delayCost(delayed) + riderSecond * (route.doneAt - freeAt), delay: delayed.delay - onTime.delay };
}
