import { scoreCandidates, type ScoringCandidate, type ScoringSettings } from '#planner';
import { travelMinutes, type Point } from './instance.js';
import type { Policy, WorldView } from './policy.js';
import type { Instruction } from './world.js';

/** Dispatch's defaults (DISPATCH_MAX_PICKUP_METERS, STACK_*, DISPATCH_CANDIDATES): the policy as it runs today. */
export const GREEDY_SETTINGS: ScoringSettings & { candidateLimit: number } = {
  maxPickupMeters: 5000,
  stackPickupRadiusMeters: 500,
  stackMaxDelaySeconds: 600,
  candidateLimit: 30,
};

const euclid = (a: Point, b: Point) => Math.sqrt((b.x - a.x) ** 2 + (b.y - a.y) ** 2);

/**
 * Today's time-blind dispatch, the baseline: each waiting order, oldest first, the moment it is placed (and
 * again each minute while nobody takes it), goes to the best-scored nearby free courier by dispatch's own
 * scoring (distance, load, fairness), alone. It knows nothing of ready times or promises; the only thing it
 * asks of time is the rule every policy obeys: no pickup after the courier's off time.
 */
export class GreedyPolicy implements Policy {
  readonly name = 'greedy';

  decide({ instance, now, waiting, couriers }: WorldView): Instruction[] {
    const { metersPerMinute, pickupServiceMinutes } = instance.parameters;
    const free = couriers.filter((c) => c.courier.onTime <= now && c.freeAt <= now && now < c.courier.offTime);
    const taken = new Set<string>();
    const instructions: Instruction[] = [];
    for (const order of waiting) {
      const restaurant = instance.restaurants.get(order.restaurantId)!;
      const nearest = free
        .filter((c) => !taken.has(c.courier.id))
        .map((c) => ({ c, meters: euclid(c.position, restaurant) }))
        .filter(({ meters }) => meters <= GREEDY_SETTINGS.maxPickupMeters)
        .sort((a, b) => a.meters - b.meters || (a.c.courier.id < b.c.courier.id ? -1 : 1))
        .slice(0, GREEDY_SETTINGS.candidateLimit)
        .filter(({ c }) => Math.max(now + travelMinutes(c.position, restaurant, metersPerMinute) + pickupServiceMinutes / 2, order.readyTime) <= c.courier.offTime);
      const candidates: ScoringCandidate<Point>[] = nearest.map(({ c }) => ({
        riderId: c.courier.id,
        position: c.position,
        capacity: 1,
        jobs: [],
        offered: 0,
        idleSeconds: c.lastFinishedAt === null ? null : (now - c.lastFinishedAt) * 60,
      }));
      const best = scoreCandidates(restaurant, candidates, GREEDY_SETTINGS, euclid).ranked[0];
      if (!best) continue;
      taken.add(best.riderId);
      instructions.push({ courierId: best.riderId, orderIds: [order.id] });
    }
    return instructions;
  }
}
