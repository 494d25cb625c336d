import type { LngLat } from '#contracts';

/** A route between two points, and how it was obtained. */
export interface Route {
  distanceMeters: number;
  durationSeconds: number;
  /** Which provider answered. */
  provider: string;
  /** True when the distance is not a real road route. */
  estimated: boolean;
  /** The straight-line-to-road factor applied, when estimated. */
  detourFactor?: number;
}

/** One way to route: a map provider's directions API, or a local estimate. */
export interface RoutingProvider {
  readonly name: string;
  route(from: LngLat, to: LngLat): Promise<Route>;
}
