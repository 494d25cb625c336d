import type { MapsConfig } from '#config';
import { DetourCalibration } from './detour-calibration.js';
import { InMemoryGeocodeCache, type GeocodeCache } from './geocode-cache.js';
import type { Capability } from './guarded-provider.js';
import { KakaoDirections } from './kakao-directions.adapter.js';
import { KakaoLocal } from './kakao-local.adapter.js';
import { MapChain, type ChainEntry } from './map-chain.js';
import { NaverDirections } from './naver-directions.adapter.js';
import { NaverGeocoding } from './naver-geocoding.adapter.js';
import { RouteCache } from './route-cache.js';
import type { Attempt, GeocodingProvider, RoutingProvider } from './routing.js';
import { TurfEstimate } from './turf-estimate.js';

/** Nest injection token for the process's one `MapChain` (its breakers must be shared, so it is a singleton). */
export const MAP_CHAIN = Symbol('MAP_CHAIN');

export interface MapChainDeps {
  /** Defaults to an in-memory cache; the fee service passes its Postgres-backed one. */
  geocodeCache?: GeocodeCache;
  onAttempt?: (capability: Capability, attempt: Attempt) => void;
  now?: () => number;
}

/** Builds the chain from validated configuration: providers in `MAP_PROVIDERS` order, those without keys skipped. */
export function createMapChain(config: MapsConfig, deps: MapChainDeps = {}): MapChain {
  const routers: ChainEntry<RoutingProvider>[] = [];
  const geocoders: ChainEntry<GeocodingProvider>[] = [];
  const { kakao, naver } = config;
  for (const name of config.providers) {
    if (name === 'kakao') {
      routers.push({ name, provider: kakao.restApiKey ? new KakaoDirections(kakao.mobilityBaseUrl, kakao.restApiKey) : undefined });
      geocoders.push({ name, provider: kakao.restApiKey ? new KakaoLocal(kakao.localBaseUrl, kakao.restApiKey) : undefined });
    } else if (name === 'naver') {
      const keyed = naver.clientId && naver.clientSecret;
      routers.push({ name, provider: keyed ? new NaverDirections(naver.baseUrl, naver.clientId!, naver.clientSecret!) : undefined });
      geocoders.push({ name, provider: keyed ? new NaverGeocoding(naver.baseUrl, naver.clientId!, naver.clientSecret!) : undefined });
    }
  }
  return new MapChain({
    routers,
    geocoders,
    turf: new TurfEstimate(config.detourFactor),
    guard: {
      timeoutMs: config.providerTimeoutMs,
      concurrency: config.providerConcurrency,
      errorThresholdPercentage: config.breaker.errorThresholdPercentage,
      volumeThreshold: config.breaker.volumeThreshold,
      resetTimeoutMs: config.breaker.resetTimeoutMs,
      rollingWindowMs: config.breaker.rollingWindowMs,
      consecutiveFailures: config.breaker.consecutiveFailures,
      rateLimitBackoffMs: config.rateLimitBackoffMs,
    },
    deadlineMs: config.chainDeadlineMs,
    hedgeAfterMs: config.hedgeAfterMs,
    routeCache: new RouteCache(config.routeCache.ttlMs, config.routeCache.maxEntries, deps.now),
    geocodeCache: deps.geocodeCache ?? new InMemoryGeocodeCache(),
    calibration: new DetourCalibration({ defaultFactor: config.detourFactor, minSamples: config.calibration.minSamples }),
    onAttempt: deps.onAttempt,
    now: deps.now,
  });
}
