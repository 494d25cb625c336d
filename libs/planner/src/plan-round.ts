import { solveAssignment } from './assignment.js';
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

/** Passes of joining bundles at most (each joins pairs, so up to 2^passes deliveries, within the bundle limit). */
const MERGE_PASSES = 4;

/** A bundle and what each candidate rider (and no rider) would cost it. */
interface Evaluated<P> {
  bundle: Bundle<P>;
  /** Per candidate: the cost, Infinity where it may not take it. */
  costs: Float64Array;
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
 * their shift from its start). Every bundle is costed for every rider (see `costOf`): the seconds its deliveries
 * arrive after the earliest they could, weighted seconds past promises and overdue, the rider's time at a price
 * that rises when riders are short, less a little for a rider idle long. One minimum-cost assignment over
 * riders × bundles chooses, each bundle able to wait for a later round at what waiting would cost it (see
 * `holdCost`). Deliveries of one restaurant (or of pickups near each other, where the agency stacks) are then
 * joined into one bundle wherever that costs less than what they cost apart, and the assignment is solved again.
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

  const round = new Round(candidates, now, geometry, policy);
  let bundles = waiting.map((d) => round.evaluate([d]));
  let solved = solve(bundles, candidates.length);
  // Riders short: deliveries wait for want of one. A second of rider time is then worth about as many seconds
  // of delay as there are deliveries queued per rider (each rider's second saved moves that queue up), so the
  // round is costed again at that price: shorter rides, less idling, more joined bundles.
  const queued = solved.rows.filter((r) => r.column < 0 && r.evaluated.hold.delay > 0).reduce((n, r) => n + r.evaluated.bundle.deliveries.length, 0);
  if (queued > 0) {
    round.price(WEIGHTS.riderSecond + queued / candidates.length);
    bundles = waiting.map((d) => round.evaluate([d]));
    solved = solve(bundles, candidates.length);
  }
  const joined = join(bundles, solved, round);
  if (joined) {
    bundles = joined;
    solved = solve(bundles, candidates.length);
  }
  return decide(solved, bundles, candidates, { now, riderSecond: round.riderSecond, geometry, policy, kept });
}

/**
 * One round's costing: bundles built and costed for every candidate once (cached by their deliveries), rides to
 * each pickup measured once per rider, at the round's price of a second of rider time.
 */
class Round<P> {
  riderSecond: number = WEIGHTS.riderSecond;
  private readonly parts = emptyParts();
  private readonly evaluated = new Map<string, Evaluated<P>>();
  private readonly bundles = new Map<string, Bundle<P>>();
  private readonly rides = new Map<string, Float64Array>();

  constructor(
    readonly candidates: readonly Candidate<P>[],
    private readonly now: number,
    private readonly geometry: PlannerGeometry<P>,
    readonly policy: PlannerPolicy,
  ) {}

  /** Costs everything again at a new price of rider time. */
  price(riderSecond: number): void {
    this.riderSecond = riderSecond;
    this.evaluated.clear();
  }

  bundle(deliveries: readonly WaitingDelivery<P>[]): Bundle<P> {
    const key = bundleKey(deliveries);
    let bundle = this.bundles.get(key);
    if (!bundle) this.bundles.set(key, (bundle = buildBundle(deliveries, this.geometry, this.policy)));
    return bundle;
  }

  /** Each candidate's ride to a pickup, measured once a round. */
  ridesTo(stop: Bundle<P>['stops'][number]): Float64Array {
    let rides = this.rides.get(stop.placeId);
    if (!rides) {
      rides = new Float64Array(this.candidates.length);
      for (let c = 0; c < this.candidates.length; c++) rides[c] = this.geometry.travelSeconds(this.candidates[c]!.availableFrom, stop.position);
      this.rides.set(stop.placeId, rides);
    }
    return rides;
  }

  /** Straight-line metres between two pickups. */
  meters(a: Bundle<P>['stops'][number], b: Bundle<P>['stops'][number]): number {
    return this.geometry.meters(a.position, b.position);
  }

  /** What one candidate would cost the bundle. */
  costFor(bundle: Bundle<P>, c: number): number {
    return costOf(this.candidates[c]!, bundle, this.ridesTo(bundle.stops[0]!)[c]!, this.riderSecond, this.policy, this.parts);
  }

  evaluate(deliveries: readonly WaitingDelivery<P>[]): Evaluated<P> {
    const bundle = this.bundle(deliveries);
    const cached = this.evaluated.get(bundle.key);
    if (cached) return cached;
    const rides = this.ridesTo(bundle.stops[0]!);
    const costs = new Float64Array(this.candidates.length);
    let nearest = Infinity;
    let feasible = 0;
    for (let c = 0; c < this.candidates.length; c++) {
      costs[c] = costOf(this.candidates[c]!, bundle, rides[c]!, this.riderSecond, this.policy, this.parts);
      if (costs[c] === Infinity) continue;
      feasible++;
      nearest = Math.min(nearest, rides[c]!);
    }
    const hold = feasible > 0 ? holdCost(bundle, nearest, this.riderSecond, this.now, this.policy) : { total: Infinity, delay: Infinity };
    const evaluated = { bundle, costs, hold, feasible };
    this.evaluated.set(bundle.key, evaluated);
    return evaluated;
  }
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

/** Riders per bundle the assignment weighs: its cheapest ones (beyond them a rider is hardly ever the best). */
const RIDERS_PER_BUNDLE = 24;

/**
 * One minimum-cost assignment of bundles to riders, where leaving a bundle without a rider costs its hold cost.
 * A bundle's riders are those that cost less than holding it (any other is never worth it: holding is cheaper
 * and frees the rider), its RIDERS_PER_BUNDLE cheapest.
 */
function solve<P>(bundles: readonly Evaluated<P>[], candidateCount: number): Solved<P> {
  const rows = bundles.filter((e) => e.feasible > 0);
  const edges = rows.map((e) => cheapest(e.costs, e.hold.total, RIDERS_PER_BUNDLE));
  const chosen = solveAssignment({ rows: rows.length, columns: candidateCount, edges, unassigned: rows.map((e) => e.hold.total) });
  return {
    rows: rows.map((evaluated, i) => {
      const column = chosen[i]!;
      return { evaluated, column, cost: column >= 0 ? evaluated.costs[column]! : evaluated.hold.total };
    }),
  };
}

/** The `limit` cheapest entries under `below`, cheapest first (ties to the smaller index). */
function cheapest(costs: Float64Array, below: number, limit: number): Array<{ column: number; cost: number }> {
  const best: Array<{ column: number; cost: number }> = [];
  for (let c = 0; c < costs.length; c++) {
    const cost = costs[c]!;
    if (!(cost < below) || (best.length === limit && cost >= best[limit - 1]!.cost)) continue;
    let at = best.length === limit ? limit - 1 : best.length;
    if (best.length < limit) best.push({ column: c, cost });
    while (at > 0 && best[at - 1]!.cost > cost) {
      best[at] = best[at - 1]!;
      at--;
    }
    best[at] = { column: c, cost };
  }
  return best;
}

/**
 * Joins bundles one rider can carry together (one restaurant, or pickups within the stacking radius where
 * allowed) wherever the joined bundle, given to the rider of either, costs less than the two cost now: the
 * cheapest joins first, each bundle in one join a pass, the joined bundle keeping the better rider; up to
 * MERGE_PASSES passes (so three or more can join). Returns the new bundles, or null when no join is cheaper.
 */
function join<P>(bundles: readonly Evaluated<P>[], solved: Solved<P>, round: Round<P>): Evaluated<P>[] | null {
  const { policy } = round;
  let rows = solved.rows.map((r) => ({ bundle: r.evaluated.bundle, column: r.column, cost: r.cost, evaluated: r.evaluated as Evaluated<P> | null }));
  const near = nearPickups(rows.map((r) => r.bundle), round);
  let joinedAny = false;
  for (let pass = 0; pass < MERGE_PASSES; pass++) {
    const joins: Array<{ a: number; b: number; gain: number; bundle: Bundle<P>; column: number; cost: number }> = [];
    const byPlace = new Map<string, number[]>();
    rows.forEach((row, i) => {
      for (const place of pickupsOf(row.bundle)) byPlace.set(place, [...(byPlace.get(place) ?? []), i]);
    });
    for (let a = 0; a < rows.length; a++) {
      const x = rows[a]!;
      const partners = new Set<number>();
      for (const place of pickupsOf(x.bundle)) for (const other of near.get(place)!) for (const b of byPlace.get(other) ?? []) if (b > a) partners.add(b);
      for (const b of [...partners].sort((p, q) => p - q)) {
        const y = rows[b]!;
        if (x.column < 0 && y.column < 0) continue;
        if (x.bundle.deliveries.length + y.bundle.deliveries.length > policy.maxBundleSize) continue;
        const places = [...pickupsOf(x.bundle), ...pickupsOf(y.bundle)];
        if (!places.every((p) => places.every((q) => near.get(p)!.has(q)))) continue;
        const bundle = round.bundle([...x.bundle.deliveries, ...y.bundle.deliveries]);
        let cost = Infinity;
        let column = -1;
        for (const c of [x.column, y.column]) {
          if (c < 0) continue;
          const candidate = round.costFor(bundle, c);
          if (candidate < cost) [cost, column] = [candidate, c];
        }
        const gain = x.cost + y.cost - cost;
        if (gain > 0) joins.push({ a, b, gain, bundle, column, cost });
      }
    }
    if (joins.length === 0) break;
    joins.sort((p, q) => q.gain - p.gain || compareIds(p.bundle.key, q.bundle.key));
    const taken = new Set<number>();
    const next: typeof rows = [];
    for (const j of joins) {
      if (taken.has(j.a) || taken.has(j.b)) continue;
      taken.add(j.a);
      taken.add(j.b);
      next.push({ bundle: j.bundle, column: j.column, cost: j.cost, evaluated: null });
    }
    rows = [...rows.filter((_, i) => !taken.has(i)), ...next];
    joinedAny = true;
  }
  if (!joinedAny) return null;
  // Bundles no rider could take were not in the assignment: they stay as they were.
  const inRows = new Set(solved.rows.map((r) => r.evaluated));
  return [...bundles.filter((e) => !inRows.has(e)), ...rows.map((r) => r.evaluated ?? round.evaluate(r.bundle.deliveries))];
}

const pickupsOf = <P>(bundle: Bundle<P>) => bundle.stops.filter((s) => s.kind === 'pickup').map((s) => s.placeId);

/**
 * For each pickup, the pickups a rider may combine it with: itself, and where the agency stacks across
 * restaurants, those within the stacking radius (measured once per pair of pickups a round).
 */
function nearPickups<P>(bundles: readonly Bundle<P>[], round: Round<P>): Map<string, Set<string>> {
  const stops = new Map<string, Bundle<P>['stops'][number]>();
  for (const bundle of bundles) for (const stop of bundle.stops) if (stop.kind === 'pickup') stops.set(stop.placeId, stop);
  const near = new Map([...stops.keys()].map((id) => [id, new Set([id])]));
  const { acrossRestaurants, radiusMeters } = round.policy.stacking;
  if (!acrossRestaurants) return near;
  const list = [...stops.values()];
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      if (round.meters(list[i]!, list[j]!) > radiusMeters) continue;
      near.get(list[i]!.placeId)!.add(list[j]!.placeId);
      near.get(list[j]!.placeId)!.add(list[i]!.placeId);
    }
  }
  return near;
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
