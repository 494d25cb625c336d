import type { LngLat } from '#contracts';
import { straightLineMeters } from '../geometry.js';
import type { NearbyRider, RiderIndex } from './rider-index.js';

/** Every rider in one map, every query a full scan: the baseline any real index must beat. */
export class LinearRiderIndex implements RiderIndex {
  private readonly riders = new Map<string, { agencyId: string; point: LngLat }>();

  upsert(riderId: string, agencyId: string, point: LngLat): void {
    this.riders.set(riderId, { agencyId, point: { lng: point.lng, lat: point.lat } });
  }

  remove(riderId: string): void {
    this.riders.delete(riderId);
  }

  nearest(agencyId: string, point: LngLat, limit: number, maxMeters = Infinity): NearbyRider[] {
    const found: NearbyRider[] = [];
    for (const [riderId, rider] of this.riders) {
      if (rider.agencyId !== agencyId) continue;
      const distanceMeters = straightLineMeters(point, rider.point);
      if (distanceMeters <= maxMeters) found.push({ riderId, point: rider.point, distanceMeters });
    }
    found.sort((a, b) => a.distanceMeters - b.distanceMeters || (a.riderId < b.riderId ? -1 : 1));
    return found.slice(0, limit);
  }

  size(): number {
    return this.riders.size;
  }
}
