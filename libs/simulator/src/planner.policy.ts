import { planRound, type PlannerDecisions, type PlannerGeometry, type PlannerPolicy } from '#planner';
import { travelMinutes, type Instance, type Point } from './instance.js';
import type { Policy, WorldView } from './policy.js';
import type { Instruction } from './world.js';

/**
 * The agency policy the instances' rules amount to: couriers accept every instruction at once (sequential
 * offers, no time to answer), one restaurant per bundle (no stacking across restaurants), no new instruction
 * while carrying one out, the instance's service times, its target click-to-door as every order's promise and
 * its maximum click-to-door as when an order is overdue.
 * No capacity is stated, so a bundle holds up to four orders, the most any drop-off order is tried for.
 */
export function instancePolicy(instance: Instance): PlannerPolicy {
  const { pickupServiceMinutes, dropoffServiceMinutes, targetClickToDoor, maximumClickToDoor } = instance.parameters;
  return {
    offerMode: 'sequential',
    broadcastSize: 1,
    maxBundleSize: 4,
    stacking: { acrossRestaurants: false, radiusMeters: 0 },
    horizonSeconds: 45 * 60,
    pickupServiceSeconds: pickupServiceMinutes * 60,
    dropoffServiceSeconds: dropoffServiceMinutes * 60,
    roundSeconds: 60,
    offerLeadSeconds: 0,
    promiseSeconds: targetClickToDoor * 60,
    overdueSeconds: maximumClickToDoor * 60,
    offerWhileBusy: false,
  };
}

/** The instance's travel times in seconds (ceil(euclid / speed) minutes) and its straight-line metres. */
export function instanceGeometry(instance: Instance): PlannerGeometry<Point> {
  const { metersPerMinute } = instance.parameters;
  return {
    travelSeconds: (from, to) => 60 * travelMinutes(from, to, metersPerMinute),
    meters: (a, b) => Math.sqrt((b.x - a.x) ** 2 + (b.y - a.y) ** 2),
  };
}

/**
 * The planner (libs/planner, the code dispatch runs) driving the simulated couriers: each minute the world's
 * state goes in as the planner's snapshot, in seconds, and its offers come out as instructions.
 */
export class PlannerPolicyRunner implements Policy {
  readonly name = 'planner';
  /** The last round's decisions, for whoever wants to see why. */
  last: PlannerDecisions | null = null;
  private readonly policy: PlannerPolicy;
  private readonly geometry: PlannerGeometry<Point>;

  constructor(instance: Instance, policy: Partial<PlannerPolicy> = {}) {
    this.policy = { ...instancePolicy(instance), ...policy };
    this.geometry = instanceGeometry(instance);
  }

  decide({ instance, now, waiting, couriers }: WorldView): Instruction[] {
    const decisions = planRound(
      {
        now: now * 60,
        policy: this.policy,
        deliveries: waiting.map((o) => ({
          id: o.id,
          restaurantId: o.restaurantId,
          pickup: instance.restaurants.get(o.restaurantId)!,
          dropoff: o,
          placedAt: o.placementTime * 60,
          readyAt: o.readyTime * 60,
          promisedAt: (o.placementTime + instance.parameters.targetClickToDoor) * 60,
        })),
        riders: couriers
          .filter((c) => c.courier.offTime >= now)
          .map((c) => ({
            id: c.courier.id,
            position: c.position,
            ...(c.freeAt > now ? { busyUntil: { at: c.freeAt * 60, position: c.position } } : {}),
            shift: { start: c.courier.onTime * 60, end: c.courier.offTime * 60 },
            load: 0,
            capacity: Infinity,
            idleSince: c.lastFinishedAt === null ? null : c.lastFinishedAt * 60,
          })),
      },
      this.geometry,
    );
    this.last = decisions;
    return decisions.offers.map((offer) => ({ courierId: offer.riderIds[0]!, orderIds: offer.deliveryIds }));
  }
}
