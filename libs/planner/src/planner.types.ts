/**
 * The planner's input and output. Times are seconds on the caller's clock (epoch seconds in dispatch, simulated
 * seconds in the simulator); positions are whatever the caller's geometry measures (`{ lng, lat }` in dispatch,
 * metres on a plane in the simulator).
 */

/** How the planner measures the world: the caller's map-free estimates. */
export interface PlannerGeometry<P> {
  /** Seconds to ride from one position to another. */
  travelSeconds(from: P, to: P): number;
  /** Straight-line metres, for the stacking radius. */
  meters(a: P, b: P): number;
}

/** A delivery waiting for a rider. */
export interface WaitingDelivery<P> {
  id: string;
  /** Deliveries of one restaurant may share a rider; of several only where the agency allows stacking. */
  restaurantId: string;
  pickup: P;
  dropoff: P;
  placedAt: number;
  /** When the food is ready (cooking time known or estimated); the pickup is never before. */
  readyAt: number;
  /** When it was promised to arrive; the policy's default promise after placement when unset. */
  promisedAt?: number;
  /** Riders who declined it: it is never offered to them again. */
  declinedBy?: readonly string[];
  /** Assigned by an operator to this rider: the planner leaves it there and plans the rider's time around it. */
  manualRiderId?: string;
}

/** A rider the planner may use. */
export interface PlannerRider<P> {
  id: string;
  /** Where it is now. */
  position: P;
  /** When and where it will finish what it carries now; absent when it carries nothing. */
  busyUntil?: { at: number; position: P };
  /** Its shift: it takes no work before `start` and picks nothing up after `end`. */
  shift?: { start?: number; end?: number };
  /** Deliveries it carries or holds offers for, and how many it may hold at once. */
  load: number;
  capacity: number;
  /** Since when it has had nothing to do (fairness); null when it never had a job. */
  idleSince: number | null;
}

export type OfferMode = 'sequential' | 'broadcast';

/** The agency's dispatch policy, as the planner needs it. */
export interface PlannerPolicy {
  offerMode: OfferMode;
  /** Riders one broadcast offer goes to. */
  broadcastSize: number;
  /** Most deliveries in one bundle (also bounded by each rider's room). */
  maxBundleSize: number;
  /** Bundles of several restaurants: only where allowed, and only of pickups this near each other. */
  stacking: { acrossRestaurants: boolean; radiusMeters: number };
  /** Riders free within this are planned for; a bundle no rider serves is taken to wait at least this long. */
  horizonSeconds: number;
  /** Service at a pickup and at a drop-off; half is spent on each side of the moment of pickup or drop-off. */
  pickupServiceSeconds: number;
  dropoffServiceSeconds: number;
  /** Rounds run this often: a delivery held now is looked at again this much later. */
  roundSeconds: number;
  /** An offer goes out this long before its rider must leave (time to read and answer it). */
  offerLeadSeconds: number;
  /** A delivery without a promise is promised this long after placement. */
  promiseSeconds: number;
  /** A delivery is overdue this long after placement: beyond it, it goes before any other. */
  overdueSeconds: number;
  /** Whether a rider still carrying jobs may be offered its next bundle (to start once they are done). */
  offerWhileBusy: boolean;
}

export interface PlannerInput<P> {
  now: number;
  deliveries: readonly WaitingDelivery<P>[];
  riders: readonly PlannerRider<P>[];
  policy: PlannerPolicy;
}

/** A stop of a planned route, with when the rider is expected there. */
export interface PlannedStop {
  kind: 'pickup' | 'dropoff';
  /** The restaurant (pickup) or the delivery (drop-off). */
  placeId: string;
  deliveryIds: string[];
  /** The moment of pickup or drop-off (half the service before it, half after). */
  at: number;
}

/** The cost of giving a bundle to a rider, in seconds, part by part (what the board shows as "why this rider"). */
export interface CostTerms {
  /** Seconds the deliveries arrive after the earliest they could (food ready, a rider waiting at the pickup). */
  delay: number;
  /** Of which: the pickup after the food was ready. */
  pickupLate: number;
  /** Seconds past promises that could have been kept. */
  pastPromise: number;
  /** Seconds past the longest a delivery may take (the policy's overdue time). */
  overdue: number;
  /** Seconds the rider rides empty to the first pickup. */
  emptyRide: number;
  /** Seconds of the rider's time the bundle takes, from when it is free (waiting included) to its last drop-off. */
  riderTime: number;
  /** What a second of rider time is worth this round, in seconds of delay: more when riders are short. */
  riderSecond: number;
  /** Credit to a rider idle longer (fairness, a secondary aim). */
  fairness: number;
  total: number;
}

/** Why an offer goes to these riders. */
export interface OfferExplanation {
  riderId: string;
  terms: CostTerms;
  /** The next best rider for the same bundle, if any, and its cost. */
  runnerUp: { riderId: string; total: number } | null;
  /** When deliveries ride together: that it was cheaper than apart. */
  bundled: string | null;
  summary: string;
}

/** An offer to make now. */
export interface PlannedOffer {
  /** In drop-off order. */
  deliveryIds: string[];
  /** Sequential: one rider; broadcast: several, the first to accept takes it. */
  riderIds: string[];
  /** When the rider should leave for the first pickup, and the route with expected times. */
  departAt: number;
  stops: PlannedStop[];
  why: OfferExplanation;
}

export type HoldReason =
  /** Its rider is chosen but need not leave yet: offering later keeps other riders free and the food not waiting. */
  | 'NOT_YET_DUE'
  /** The best rider for it is still busy (or not on shift yet) and is worth waiting for. */
  | 'RIDER_BUSY'
  /** Every rider who could take it is better used on more urgent deliveries this round. */
  | 'RIDERS_TAKEN'
  /** No rider can take it: none on shift in time, none with room, or all declined it. */
  | 'NO_RIDER';

/** A delivery not offered this round, and why. */
export interface HeldDelivery {
  deliveryId: string;
  reason: HoldReason;
  /** The rider it is planned for, if any, when it is expected to be offered, and the bundle it is planned in. */
  plannedRiderId: string | null;
  offerAt: number | null;
  bundleWith: string[];
  summary: string;
}

/** A delivery an operator assigned by hand, left as it is. */
export interface KeptDelivery {
  deliveryId: string;
  riderId: string;
  summary: string;
}

export interface PlannerDecisions {
  now: number;
  offers: PlannedOffer[];
  held: HeldDelivery[];
  kept: KeptDelivery[];
}
