import { FORBIDDEN, solveAssignment } from './assignment.js';
import { costOf, emptyParts, holdCost, optionFor, type Candidate } from './costs.js';
import { minutes, offerSummary, relative } from './explain.js';
import type {
  HeldDelivery,
  KeptDelivery,
  PlannedOffer,
  PlannerDecisions,
  PlannerGeometry,
  PlannerInput,
  PlannerPolicy,
  PlannerRider,
  WaitingDelivery,
} from './planner.types.js';
import { bundleKey, buildBundle, compareIds, timeRoute, WEIGHTS, type Bundle } from './route.js';

/** Rounds of "solve, then join bundles where that is cheaper, then solve again" at most. */
const MERGE_PASSES = 4;

/** A bundle and what each candidate rider (and no rider) would cost it. */
interface Evaluated<P> {
  bundle: Bundle<P>;
  /** Per candidate: the cost (Infinity where it may not take it) and when it would leave. */
  costs: Float64Array;
  departs: Float64Array;
  hold: { total: number; delay: number };
  feasible: number;
}

/** The round's assignment: for each evaluated bundle, the candidate chosen (-1: held) and what it costs. */
interface Solved<P> {
  rows: Array<{ evaluated: Evaluated<P>; column: number; cost: number }>;
}

/**
 * One planning round: which bundles of waiting deliveries go to which riders, and which of those offers to make
 * now. Pure and deterministic: the same input gives the same decisions, whatever order its lists come in.
 *
 * Riders are those free now or within the horizon (busy ones from when and where they finish, riders starting
 * their shift from its start). Every bundle is costed for every rider as the seconds its deliveries arrive
 * after the earliest they could, plus the seconds past promises that could have been kept (weighted), plus a
 * little for the rider's empty ride, less a little for a rider idle long. One minimum-cost assignment over
 * riders × bundles chooses, with a column per bundle for "no rider this round" at what waiting would cost it.
 * Deliveries of one restaurant (or of pickups near each other, where the agency stacks) are then joined into
 * one bundle wherever that costs less than what they cost apart, and the assignment is solved again.
 *
 * An offer goes out only when waiting another round would make its rider late for the food; until then the
 * delivery is held with its plan, so riders do not wait at restaurants and later orders can still join.
 */
export function planRound<P>(input: PlannerInput<P>, geometry: PlannerGeometry<P>): PlannerDecisions {
  const { now, policy } = input;
  const riders = [...input.riders].sort((a, b) => compareIds(a.id, b.id));
  const known = new Set(riders.map((r) => r.id));
  const kept: KeptDelivery[] = [];
  const manual = new Map<string, WaitingDelivery<P>[]>();
  const waiting: WaitingDelivery<P>[] = [];
  for (const d of [...input.deliveries].sort((a, b) => compareIds(a.id, b.id))) {
    if (d.manualRiderId === undefined) {
      waiting.push(d);
      continue;
    }
    manual.set(d.manualRiderId, [...(manual.get(d.manualRiderId) ?? []), d]);
    kept.push({
      deliveryId: d.id,
      riderId: d.manualRiderId,
      summary: `assigned by an operator to rider ${d.manualRiderId}: left as it is${known.has(d.manualRiderId) ? ', and that rider is planned around it' : ''}`,
    });
  }
  const candidates = riders.flatMap((rider) => candidateOf(rider, manual.get(rider.id) ?? [], now, geometry, policy) ?? []);

  let riderSecond: number = WEIGHTS.riderSecond;
  const parts = emptyParts();
  const cache = new Map<string, Evaluated<P>>();
  const evaluate = (deliveries: readonly WaitingDelivery<P>[]): Evaluated<P> => {
    const key = bundleKey(deliveries);
    const cached = cache.get(key);
    if (cached) return cached;
    const bundle = buildBundle(deliveries, geometry, policy);
    const costs = new Float64Array(candidates.length);
    const departs = new Float64Array(candidates.length);
    let nearest = Infinity;
    let feasible = 0;
    for (let c = 0; c < candidates.length; c++) {
      costs[c] = costOf(candidates[c]!, bundle, riderSecond, geometry, policy, parts);
      departs[c] = parts.departAt;
      if (costs[c] === Infinity) continue;
      feasible++;
      nearest = Math.min(nearest, parts.emptyRide);
    }
    const hold = feasible > 0 ? holdCost(bundle, nearest, riderSecond, now, policy) : { total: Infinity, delay: Infinity };
    const evaluated = { bundle, costs, departs, hold, feasible };
    cache.set(key, evaluated);
    return evaluated;
  };

  let bundles = waiting.map((d) => evaluate([d]));
  let solved = solve(bundles, candidates.length);
  // Riders short: deliveries wait for want of one. A second of rider time is then worth about as many seconds
  // of delay as there are deliveries queued per rider (each rider's second saved moves that queue up), so the
  // round is costed again at that price: shorter rides, less idling, more joined bundles.
  const queued = solved.rows.filter((r) => r.column < 0 && r.evaluated.hold.delay > 0).reduce((n, r) => n + r.evaluated.bundle.deliveries.length, 0);
  if (queued > 0) {
    riderSecond = WEIGHTS.riderSecond + queued / candidates.length;
    cache.clear();
    bundles = waiting.map((d) => evaluate([d]));
    solved = solve(bundles, candidates.length);
  }
  for (let pass = 0; pass < MERGE_PASSES; pass++) {
    const joined = join(bundles, solved, policy, geometry, evaluate);
    if (!joined) break;
    bundles = joined;
    solved = solve(bundles, candidates.length);
  }
  return decide(solved, bundles, candidates, { now, riderSecond, geometry, policy, kept });
}

/** The rider as this round can use it, or null when it cannot take anything within the horizon. */
function candidateOf<P>(
  rider: PlannerRider<P>,
  manualJobs: readonly WaitingDelivery<P>[],
  now: number,
  geometry: PlannerGeometry<P>,
  policy: PlannerPolicy,
): Candidate<P> | null {
  const start = rider.shift?.start ?? -Infinity;
  let availableAt = Math.max(now, rider.busyUntil?.at ?? now, start);
  let availableFrom = rider.busyUntil?.position ?? rider.position;
  // An operator's assignments come first: the rider is planned from when and where it will have done them.
  for (const job of [...manualJobs].sort((a, b) => a.readyAt - b.readyAt || compareIds(a.id, b.id))) {
    const pickupAt = Math.max(availableAt + geometry.travelSeconds(availableFrom, job.pickup) + policy.pickupServiceSeconds / 2, job.readyAt);
    availableAt = pickupAt + policy.pickupServiceSeconds / 2 + geometry.travelSeconds(job.pickup, job.dropoff) + policy.dropoffServiceSeconds;
    availableFrom = job.dropoff;
  }
  const shiftEnd = rider.shift?.end ?? Infinity;
  const room = rider.capacity - rider.load - manualJobs.length;
  if (availableAt > now + policy.horizonSeconds || availableAt > shiftEnd || room <= 0) return null;
  const busy = availableAt > now;
  // Fairness: a rider idle longest (or never given a job) is credited most, up to a small amount.
  const idleFor = busy || rider.busyUntil ? 0 : rider.idleSince === null ? WEIGHTS.fairnessFullSeconds : now - rider.idleSince;
  return {
    rider,
    availableAt,
    availableFrom,
    offerable: !busy || (policy.offerWhileBusy && start <= now),
    room,
    shiftEnd,
    fairness: (WEIGHTS.fairness * Math.min(Math.max(idleFor, 0), WEIGHTS.fairnessFullSeconds)) / WEIGHTS.fairnessFullSeconds,
  };
}

/** One minimum-cost assignment of the bundles any rider can take, each with its own "no rider" column. */
function solve<P>(bundles: readonly Evaluated<P>[], candidateCount: number): Solved<P> {
  const rows = bundles.filter((e) => e.feasible > 0);
  // Only riders some bundle could use become columns.
  const used: number[] = [];
  for (let c = 0; c < candidateCount; c++) if (rows.some((e) => e.costs[c]! < Infinity)) used.push(c);
  const matrix = rows.map((e, i) => {
    const row = new Float64Array(used.length + rows.length).fill(FORBIDDEN);
    used.forEach((c, k) => {
      if (e.costs[c]! < Infinity) row[k] = e.costs[c]!;
    });
    row[used.length + i] = e.hold.total;
    return row;
  });
  const chosen = solveAssignment(matrix);
  return {
    rows: rows.map((evaluated, i) => {
      const k = chosen[i]!;
      return k >= 0 && k < used.length
        ? { evaluated, column: used[k]!, cost: evaluated.costs[used[k]!]! }
        : { evaluated, column: -1, cost: evaluated.hold.total };
    }),
  };
}

/**
 * Joins pairs of bundles one rider can carry together (one restaurant, or pickups within the stacking radius
 * where allowed) wherever the joined bundle, given to the rider of either, costs less than the two cost now;
 * the cheapest joins first, each bundle in one join a pass. Returns the new bundles, or null when none is cheaper.
 */
function join<P>(
  bundles: readonly Evaluated<P>[],
  solved: Solved<P>,
  policy: PlannerPolicy,
  geometry: PlannerGeometry<P>,
  evaluate: (deliveries: readonly WaitingDelivery<P>[]) => Evaluated<P>,
): Evaluated<P>[] | null {
  const rows = solved.rows;
  const joins: Array<{ a: number; b: number; gain: number; joined: Evaluated<P> }> = [];
  for (let a = 0; a < rows.length; a++) {
    for (let b = a + 1; b < rows.length; b++) {
      const x = rows[a]!;
      const y = rows[b]!;
      if (x.column < 0 && y.column < 0) continue;
      if (x.evaluated.bundle.deliveries.length + y.evaluated.bundle.deliveries.length > policy.maxBundleSize) continue;
      if (!stackable(x.evaluated.bundle, y.evaluated.bundle, policy, geometry)) continue;
      const joined = evaluate([...x.evaluated.bundle.deliveries, ...y.evaluated.bundle.deliveries]);
      let best = Infinity;
      for (const column of [x.column, y.column]) if (column >= 0) best = Math.min(best, joined.costs[column]!);
      const gain = x.cost + y.cost - best;
      if (gain > 0) joins.push({ a, b, gain, joined });
    }
  }
  if (joins.length === 0) return null;
  joins.sort((p, q) => q.gain - p.gain || compareIds(p.joined.bundle.key, q.joined.bundle.key));
  const taken = new Set<number>();
  const gone = new Set<Evaluated<P>>();
  const next: Evaluated<P>[] = [];
  for (const j of joins) {
    if (taken.has(j.a) || taken.has(j.b)) continue;
    taken.add(j.a);
    taken.add(j.b);
    gone.add(rows[j.a]!.evaluated);
    gone.add(rows[j.b]!.evaluated);
    next.push(j.joined);
  }
  // Bundles no rider could take were not in the assignment: they stay as they were.
  return [...bundles.filter((e) => !gone.has(e)), ...next];
}

function stackable<P>(a: Bundle<P>, b: Bundle<P>, policy: PlannerPolicy, geometry: PlannerGeometry<P>): boolean {
  const pickups = [...a.stops, ...b.stops].filter((s) => s.kind === 'pickup');
  if (pickups.every((s) => s.placeId === pickups[0]!.placeId)) return true;
  if (!policy.stacking.acrossRestaurants) return false;
  return pickups.every((s, i) => pickups.every((t, j) => j <= i || geometry.meters(s.position, t.position) <= policy.stacking.radiusMeters));
}

function decide<P>(
  solved: Solved<P>,
  bundles: readonly Evaluated<P>[],
  candidates: readonly Candidate<P>[],
  { now, riderSecond, geometry, policy, kept }: { now: number; riderSecond: number; geometry: PlannerGeometry<P>; policy: PlannerPolicy; kept: KeptDelivery[] },
): PlannerDecisions {
  const offers: Array<PlannedOffer & { cost: number; evaluated: Evaluated<P> }> = [];
  const held: HeldDelivery[] = [];
  const hold = (bundle: Bundle<P>, reason: HeldDelivery['reason'], plannedRiderId: string | null, offerAt: number | null, summary: string) => {
    for (const d of bundle.deliveries) {
      held.push({ deliveryId: d.id, reason, plannedRiderId, offerAt, bundleWith: bundle.deliveries.filter((o) => o !== d).map((o) => o.id), summary });
    }
  };
  const solvedKeys = new Set(solved.rows.map((r) => r.evaluated.bundle.key));

  for (const { evaluated, column } of solved.rows) {
    const { bundle } = evaluated;
    const first = bundle.stops[0]!;
    if (column < 0) {
      if (evaluated.hold.delay <= 0) hold(bundle, 'NOT_YET_DUE', null, null, `food ready ${relative(first.readyAt, now)}: no rider needs to be chosen yet`);
      else hold(bundle, 'RIDERS_TAKEN', null, null, `every rider who could take it is planned for deliveries that would suffer more from waiting; looked at again next round`);
      continue;
    }
    const candidate = candidates[column]!;
    const option = optionFor(candidate, bundle, riderSecond, geometry, policy)!;
    const offerAt = option.departAt - policy.offerLeadSeconds;
    if (!candidate.offerable || now + policy.roundSeconds <= offerAt) {
      const riderId = candidate.rider.id;
      if (candidate.offerable || candidate.availableAt <= now) {
        hold(bundle, 'NOT_YET_DUE', riderId, offerAt, `planned for rider ${riderId} (${minutes(option.terms.emptyRide)} away), offered ${relative(offerAt, now)} so that it reaches the pickup as the food is ready ${relative(first.readyAt, now)}`);
      } else {
        hold(bundle, 'RIDER_BUSY', riderId, Math.max(offerAt, candidate.availableAt), `planned for rider ${riderId}, free ${relative(candidate.availableAt, now)}: no rider free now does better`);
      }
      continue;
    }
    const departAt = Math.max(now, candidate.availableAt);
    const route = timeRoute(bundle, departAt + option.terms.emptyRide, policy);
    const runnerUp = bestOther(evaluated, candidates, column);
    const bundled = bundle.deliveries.length > 1 ? `carries ${bundle.deliveries.length} deliveries together, cheaper than apart` : null;
    offers.push({
      deliveryIds: bundle.deliveries.map((d) => d.id),
      riderIds: [candidate.rider.id],
      departAt,
      stops: bundle.stops.map((stop, k) => ({ kind: stop.kind, placeId: stop.placeId, deliveryIds: stop.deliveryIds, at: route.at[k]! })),
      why: {
        riderId: candidate.rider.id,
        terms: option.terms,
        runnerUp,
        bundled,
        summary: offerSummary({ riderId: candidate.rider.id, terms: option.terms, now, departAt, pickupAt: route.at[0]!, readyAt: first.readyAt, runnerUp, bundled }),
      },
      cost: option.terms.total,
      evaluated,
    });
  }

  for (const evaluated of bundles) {
    if (solvedKeys.has(evaluated.bundle.key)) continue;
    hold(evaluated.bundle, 'NO_RIDER', null, null, `no rider can take it now or within ${minutes(policy.horizonSeconds)}: ${whyNobody(evaluated.bundle, candidates)}`);
  }

  if (policy.offerMode === 'broadcast' && policy.broadcastSize > 1) widen(offers, candidates, policy);
  return { now, offers: offers.map(({ cost: _cost, evaluated: _evaluated, ...offer }) => offer), held, kept };
}

/** The cheapest rider for the bundle other than the one chosen. */
function bestOther<P>(evaluated: Evaluated<P>, candidates: readonly Candidate<P>[], column: number) {
  let best: { riderId: string; total: number } | null = null;
  evaluated.costs.forEach((total, c) => {
    if (total === Infinity || c === column) return;
    if (!best || total < best.total) best = { riderId: candidates[c]!.rider.id, total };
  });
  return best;
}

/** Broadcast: each offer also goes to the next cheapest riders who may take it and were chosen for no other offer. */
function widen<P>(offers: Array<PlannedOffer & { evaluated: Evaluated<P> }>, candidates: readonly Candidate<P>[], policy: PlannerPolicy): void {
  const busy = new Set(offers.map((o) => o.riderIds[0]!));
  for (const offer of offers) {
    const others = [...offer.evaluated.costs]
      .map((total, c) => ({ total, candidate: candidates[c]! }))
      .filter(({ total, candidate }) => total < Infinity && candidate.offerable && !busy.has(candidate.rider.id))
      .sort((a, b) => a.total - b.total || compareIds(a.candidate.rider.id, b.candidate.rider.id))
      .slice(0, policy.broadcastSize - 1);
    for (const { candidate } of others) {
      offer.riderIds.push(candidate.rider.id);
      busy.add(candidate.rider.id);
    }
  }
}

function whyNobody<P>(bundle: Bundle<P>, candidates: readonly Candidate<P>[]): string {
  if (candidates.length === 0) return 'no rider is on shift, has room and is free in time';
  const declined = candidates.filter((c) => bundle.deliveries.some((d) => d.declinedBy?.includes(c.rider.id))).length;
  if (declined === candidates.length) return 'every rider who could take it declined it';
  const full = candidates.filter((c) => c.room < bundle.deliveries.length).length;
  return `of ${candidates.length} riders free in time, ${declined} declined it, ${full} have no room, the others' shifts end before they could pick it up`;
}
