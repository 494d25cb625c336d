import type { LngLat } from '#contracts';
import type { AttemptOutcome } from './provider-outcome.js';
import type { CallOptions } from './provider-http.js';

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
  /** Where that factor came from: this area's calibration from real routes, or the configured default. */
  factorSource?: 'calibrated' | 'default';
}

/** One way to route: a map provider's directions API, or a local estimate. */
export interface RoutingProvider {
  readonly name: string;
  route(from: LngLat, to: LngLat, options?: CallOptions): Promise<Route>;
}

/** A point found for an address, and who found it. */
export interface GeocodedPoint {
  lng: number;
  lat: number;
  provider: string;
}

/** One way to turn an address into a point. Rejects with a `ProviderError` (`not_found` when nothing matched). */
export interface GeocodingProvider {
  readonly name: string;
  geocode(address: string, options?: CallOptions): Promise<GeocodedPoint>;
}

/** One provider the chain tried or skipped for a request, in order. */
export interface Attempt {
  provider: string;
  outcome: AttemptOutcome;
  /** Time spent on this provider (0 when skipped). */
  ms: number;
  /** True when the provider was not called at all (no key, breaker open, rate limited, busy, out of time). */
  skipped?: boolean;
  message?: string;
}

/** A route with the full story of how it was obtained. */
export interface RouteResult extends Route {
  /** True when served from the route cache; `provider` is then the provider that answered originally. */
  cached: boolean;
  attempts: Attempt[];
}

/** A geocoded point with the story of how it was obtained. */
export interface GeocodeResult extends GeocodedPoint {
  cached: boolean;
  attempts: Attempt[];
}
