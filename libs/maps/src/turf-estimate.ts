import distance from '@turf/distance';
import { point } from '@turf/helpers';
import type { LngLat } from '#contracts';
import type { Route, RoutingProvider } from './routing.js';

/** Great-circle distance in metres. */
export function straightLineMeters(from: LngLat, to: LngLat): number {
  return distance(point([from.lng, from.lat]), point([to.lng, to.lat]), { units: 'meters' });
}

/**
 * The local estimate used when no map provider answers: the straight line times a detour factor, because
 * roads are never straight (1.3 is typical in Seoul). It never fails and always says it is an estimate.
 */
export class TurfEstimate implements RoutingProvider {
  readonly name = 'turf';

  constructor(
    private readonly detourFactor: number,
    /** Average door-to-door speed of a delivery motorbike in city traffic. */
    private readonly speedKmh = 20,
  ) {}

  async route(from: LngLat, to: LngLat): Promise<Route> {
    return this.estimate(from, to, this.detourFactor, 'default');
  }

  /** The estimate with a given factor (e.g. the pickup area's calibrated one), saying where the factor came from. */
  estimate(from: LngLat, to: LngLat, detourFactor: number, factorSource: 'calibrated' | 'default'): Route {
    const distanceMeters = Math.round(straightLineMeters(from, to) * detourFactor);
    return {
      distanceMeters,
      durationSeconds: Math.round(distanceMeters / ((this.speedKmh * 1000) / 3600)),
      provider: this.name,
      estimated: true,
      detourFactor,
      factorSource,
    };
  }
}
