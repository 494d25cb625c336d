import type { LngLat } from '#contracts';

/** A rider found near a point, with its straight-line distance. */
export interface NearbyRider {
  riderId: string;
  point: LngLat;
  distanceMeters: number;
}

/**
 * Where each online rider is, for nearest-candidate queries. Fed by every position update (thousands a second),
 * so updates must be cheap; queried per delivery to offer, so queries must not scan every rider. In memory:
 * positions are worth seconds, and riders report again after a restart.
 */
export interface RiderIndex {
  /** Places or moves a rider. */
  upsert(riderId: string, agencyId: string, point: LngLat): void;
  /** Forgets a rider (offline, on break). */
  remove(riderId: string): void;
  /** Up to `limit` of the agency's riders nearest to `point`, nearest first, none farther than `maxMeters`. */
  nearest(agencyId: string, point: LngLat, limit: number, maxMeters?: number): NearbyRider[];
  size(): number;
}

/** Injection token for the dispatch service's one RiderIndex. */
export const RIDER_INDEX = Symbol('RIDER_INDEX');
