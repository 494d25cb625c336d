import type { LngLat } from '#contracts';
import { straightLineMeters } from '#maps';

export interface Candidate {
  riderId: string;
  position: LngLat;
}

/**
 * The candidate closest to the pickup in a straight line, with that distance. No map provider is asked: the
 * choice must work when every provider is down, and a straight line ranks nearby riders well enough. Ties go
 * to the smaller rider id so the choice is repeatable.
 */
export function nearestRider<T extends Candidate>(pickup: LngLat, candidates: readonly T[]): (T & { distanceMeters: number }) | undefined {
  let best: (T & { distanceMeters: number }) | undefined;
  for (const candidate of candidates) {
    const distanceMeters = straightLineMeters(candidate.position, pickup);
    if (!best || distanceMeters < best.distanceMeters || (distanceMeters === best.distanceMeters && candidate.riderId < best.riderId)) {
      best = { ...candidate, distanceMeters };
    }
  }
  return best;
}
