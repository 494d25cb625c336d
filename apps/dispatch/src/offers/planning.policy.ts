import type { AppConfig } from '#config';
import type { LngLat } from '#contracts';
import { straightLineMeters, type PlannerGeometry, type PlannerPolicy, type PlannerRider, type RiderJob, type WaitingDelivery } from '#planner';
import type { DispatchSettings } from '../agencies/dispatch-settings.service.js';
import type { DeliveryEntity } from '../deliveries/delivery.entity.js';
import type { RiderContext } from './offers.repository.js';

/** Epoch seconds: the planner's clock in dispatch. */
export const epochSeconds = (at: Date | number) => (typeof at === 'number' ? at : at.getTime()) / 1000;

/**
 * The agency's dispatch settings as the planner's policy: its offer mode and broadcast size, its offer timeout as
 * the time an offer goes out before its rider must leave, stacking across restaurants within
 * STACK_PICKUP_RADIUS_METERS (0: one restaurant's deliveries only), and the service's estimates. A rider still
 * carrying jobs may be offered its next bundle (to start once they are done), as dispatch always stacked.
 */
export function plannerPolicy(settings: DispatchSettings, config: AppConfig['dispatch']): PlannerPolicy {
  return {
    offerMode: settings.offerPolicy,
    broadcastSize: settings.broadcastSize,
    maxBundleSize: config.maxBundleSize,
    stacking: { acrossRestaurants: config.stackPickupRadiusMeters > 0, radiusMeters: config.stackPickupRadiusMeters },
    horizonSeconds: config.horizonMinutes * 60,
    pickupServiceSeconds: config.pickupServiceSeconds,
    dropoffServiceSeconds: config.dropoffServiceSeconds,
    roundSeconds: config.sweepIntervalMs / 1000,
    offerLeadSeconds: settings.offerTimeoutSeconds,
    promiseSeconds: config.promiseMinutes * 60,
    overdueSeconds: config.overdueMinutes * 60,
    offerWhileBusy: true,
  };
}

/** No map provider on the planning path: the straight line × the detour factor, at a rider's speed. */
export function dispatchGeometry(config: AppConfig): PlannerGeometry<LngLat> {
  const metersPerSecond = (config.dispatch.riderSpeedKmh * 1000) / 3600;
  const detour = config.maps.detourFactor;
  return {
    travelSeconds: (from, to) => (straightLineMeters(from, to) * detour) / metersPerSecond,
    meters: straightLineMeters,
  };
}

/** A waiting delivery as the planner sees it: no ready time means ready when it arrived. */
export function waitingDelivery(d: DeliveryEntity, declinedBy: readonly string[]): WaitingDelivery<LngLat> {
  const placedAt = epochSeconds(d.createdAt);
  return {
    id: d.id,
    restaurantId: d.restaurantId,
    pickup: { lng: d.pickupLng, lat: d.pickupLat },
    dropoff: { lng: d.dropoffLng, lat: d.dropoffLat },
    placedAt,
    readyAt: d.readyAt ? epochSeconds(d.readyAt) : placedAt,
    ...(d.promisedAt ? { promisedAt: epochSeconds(d.promisedAt) } : {}),
    ...(declinedBy.length > 0 ? { declinedBy } : {}),
  };
}

/**
 * A rider as the planner sees it: where it is, and when and where it will have done what it carries or was
 * offered (its pickups still ahead in the order they were given, then its drop-offs), at the planner's estimates.
 */
export function plannerRider(
  context: RiderContext,
  position: LngLat,
  now: number,
  geometry: PlannerGeometry<LngLat>,
  policy: PlannerPolicy,
): PlannerRider<LngLat> {
  return {
    id: context.riderId,
    position,
    ...(context.jobs.length > 0 ? { busyUntil: finishOf(context.jobs, position, now, geometry, policy) } : {}),
    load: context.jobs.length,
    capacity: context.capacity,
    idleSince: context.idleSeconds === null ? null : now - context.idleSeconds,
  };
}

function finishOf(jobs: RiderJob[], from: LngLat, now: number, geometry: PlannerGeometry<LngLat>, policy: PlannerPolicy) {
  const ordered = [...jobs].sort((a, b) => a.assignedAt.getTime() - b.assignedAt.getTime());
  let at = now;
  let position = from;
  for (const job of ordered.filter((j) => !j.pickedUp)) {
    at += geometry.travelSeconds(position, job.pickup) + policy.pickupServiceSeconds;
    position = job.pickup;
  }
  for (const job of ordered) {
    at += geometry.travelSeconds(position, job.dropoff) + policy.dropoffServiceSeconds;
    position = job.dropoff;
  }
  return { at, position };
}
