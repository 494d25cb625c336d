import type { LngLat } from '#contracts';
import {
  GridRiderIndex,
  planRound,
  scoreCandidates,
  straightLineMeters,
  travelSeconds,
  type PlannerGeometry,
  type PlannerInput,
  type PlannerPolicy,
  type PlannerRider,
  type ScoringCandidate,
  type WaitingDelivery,
} from '#planner';
import { fmt, percentile, rng } from './support.js';

/**
 * `npm run bench:planner`: one agency's planning round at BENCH_RIDERS (default 500) riders and BENCH_DELIVERIES
 * (default 300) waiting deliveries, as dispatch will run it: riders over 10 × 10 km of Seoul, a third of them
 * busy for up to 20 more minutes, deliveries from 150 restaurants with food ready from 5 minutes ago to 25
 * minutes from now, travel the straight line × 1.3 at 20 km/h (dispatch's estimate, no map provider), stacking
 * across restaurants within 500 m, bundles of up to 3. BENCH_ROUNDS (default 200) different snapshots, each
 * planned once after 20 warm-up rounds; p50 / p99 / max of a round, and in the same run the same snapshots
 * through today's dispatch choice (per delivery: the 30 nearest riders from the grid index, ranked by
 * scoring.ts, oldest delivery first) as the baseline. Memory: heap and RSS after the rounds.
 */

const RIDERS = Number(process.env.BENCH_RIDERS ?? 500);
const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
const WARMUP = 20;
const NOW = 1_765_000_000;

const CITY = { lng: 126.93, lat: 37.5 };
const METERS_PER_DEGREE_LAT = 111_320;
const METERS_PER_DEGREE_LNG = METERS_PER_DEGREE_LAT * Math.cos((CITY.lat * Math.PI) / 180);
const at = (east: number, north: number): LngLat => ({ lng: CITY.lng + east / METERS_PER_DEGREE_LNG, lat: CITY.lat + north / METERS_PER_DEGREE_LAT });

const geometry: PlannerGeometry<LngLat> = { travelSeconds: (a, b) => travelSeconds(a, b), meters: straightLineMeters };

const policy: PlannerPolicy = {
  offerMode: 'sequential',
  broadcastSize: 1,
  maxBundleSize: 3,
  stacking: { acrossRestaurants: true, radiusMeters: 500 },
  horizonSeconds: 45 * 60,
  pickupServiceSeconds: 240,
  dropoffServiceSeconds: 240,
  roundSeconds: 5,
  offerLeadSeconds: 30,
  promiseSeconds: 40 * 60,
  overdueSeconds: 90 * 60,
  offerWhileBusy: true,
};

function snapshot(seed: number): PlannerInput<LngLat> {
  const random = rng(seed);
  const spot = () => at(random() * 10_000, random() * 10_000);
  const restaurants = Array.from({ length: 150 }, (_, i) => ({ id: `r${i}`, position: spot() }));
  const deliveries: WaitingDelivery<LngLat>[] = Array.from({ length: DELIVERIES }, (_, i) => {
    const restaurant = restaurants[Math.floor(random() * restaurants.length)]!;
    const angle = random() * 2 * Math.PI;
    const meters = 300 + random() * 2700;
    const placedAt = NOW - Math.floor(random() * 900);
    return {
      id: `d${seed}-${i}`,
      restaurantId: restaurant.id,
      pickup: restaurant.position,
      dropoff: { lng: restaurant.position.lng + (Math.cos(angle) * meters) / METERS_PER_DEGREE_LNG, lat: restaurant.position.lat + (Math.sin(angle) * meters) / METERS_PER_DEGREE_LAT },
      placedAt,
      readyAt: NOW - 300 + Math.floor(random() * 1800),
      ...(random() < 0.05 ? { declinedBy: [`rider-${Math.floor(random() * RIDERS)}`] } : {}),
    };
  });
  const riders: PlannerRider<LngLat>[] = Array.from({ length: RIDERS }, (_, i) => {
    const busy = random() < 1 / 3;
    return {
      id: `rider-${i}`,
      position: spot(),
      ...(busy ? { busyUntil: { at: NOW + Math.floor(random() * 1200), position: spot() } } : {}),
      shift: { end: NOW + Math.floor(random() * 4 * 3600) },
      load: busy ? 1 : 0,
      capacity: 3,
      idleSince: busy ? null : NOW - Math.floor(random() * 1800),
    };
  });
  return { now: NOW, deliveries, riders, policy };
}

/** Today's choice: each delivery, oldest first, to the best-scored of its 30 nearest riders with room. */
function greedyRound(input: PlannerInput<LngLat>): number {
  const index = new GridRiderIndex();
  for (const rider of input.riders) index.upsert(rider.id, 'agency', rider.busyUntil?.position ?? rider.position);
  const riders = new Map(input.riders.map((r) => [r.id, r]));
  const chosen = new Map<string, number>();
  let offered = 0;
  for (const delivery of [...input.deliveries].sort((a, b) => a.placedAt - b.placedAt)) {
    const candidates: ScoringCandidate[] = index.nearest('agency', delivery.pickup, 30, 5000).map((near) => {
      const rider = riders.get(near.riderId)!;
      return { riderId: rider.id, position: near.point, capacity: rider.capacity, jobs: [], offered: rider.load + (chosen.get(rider.id) ?? 0), idleSeconds: rider.idleSince === null ? null : NOW - rider.idleSince };
    });
    const best = scoreCandidates(delivery.pickup, candidates, { maxPickupMeters: 5000, stackPickupRadiusMeters: 500, stackMaxDelaySeconds: 600 }).ranked[0];
    if (!best) continue;
    chosen.set(best.riderId, (chosen.get(best.riderId) ?? 0) + 1);
    offered++;
  }
  return offered;
}

function measure(name: string, run: (input: PlannerInput<LngLat>, first: boolean) => string): void {
  for (let i = 0; i < WARMUP; i++) run(snapshot(1_000 + i), false);
  const times: number[] = [];
  let described = '';
  for (let i = 0; i < ROUNDS; i++) {
    const input = snapshot(i);
    const t0 = performance.now();
    const outcome = run(input, i === 0);
    times.push(performance.now() - t0);
    if (i === 0) described = outcome;
  }
  times.sort((a, b) => a - b);
  console.log(`| ${name} | ${ROUNDS} | ${fmt(percentile(times, 50), 1)} | ${fmt(percentile(times, 99), 1)} | ${fmt(times.at(-1)!, 1)} | ${described} |`);
}

console.log(`planning round: ${RIDERS} riders × ${DELIVERIES} waiting deliveries, ${ROUNDS} snapshots (Node ${process.version})\n`);
console.log('| round | rounds | p50 ms | p99 ms | max ms | decisions (first snapshot) |');
console.log('|---|--:|--:|--:|--:|---|');
measure('planner (planRound)', (input, first) => {
  const decisions = planRound(input, geometry);
  return first ? `${decisions.offers.length} offers (${decisions.offers.reduce((n, o) => n + o.deliveryIds.length, 0)} deliveries), ${decisions.held.length} held` : '';
});
measure('greedy (today: nearest 30, scored)', (input) => `${greedyRound(input)} offers`);
const memory = process.memoryUsage();
console.log(`\nheap used ${fmt(memory.heapUsed / 2 ** 20)} MB, RSS ${fmt(memory.rss / 2 ** 20)} MB after the rounds`);
