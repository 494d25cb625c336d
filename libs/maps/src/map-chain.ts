import type { LngLat } from '#contracts';
import { DetourCalibration } from './detour-calibration.js';
import { normaliseAddress, type GeocodeCache } from './geocode-cache.js';
import { GuardedProvider, type Capability, type GuardedAttempt, type GuardOptions, type ProviderHealth } from './guarded-provider.js';
import { isTripProblem } from './provider-outcome.js';
import type { CallOptions } from './provider-http.js';
import { RouteCache } from './route-cache.js';
import type { Attempt, GeocodeResult, GeocodingProvider, Route, RouteResult, RoutingProvider } from './routing.js';
import { TurfEstimate } from './turf-estimate.js';

/** A provider in the configured order; `provider` is absent when its keys are not configured. */
export interface ChainEntry<P> {
  name: string;
  provider?: P;
}

export interface MapChainOptions {
  routers: ChainEntry<RoutingProvider>[];
  geocoders: ChainEntry<GeocodingProvider>[];
  turf: TurfEstimate;
  guard: GuardOptions;
  /** For a whole route or geocode, all providers included. */
  deadlineMs: number;
  /**
   * The longest a provider is waited for alone before the next is asked too (0 or unset: never). A provider
   * with a latency history is hedged sooner, at three times its usual answer time (never under 50 ms).
   */
  hedgeAfterMs?: number;
  routeCache: RouteCache;
  geocodeCache: GeocodeCache;
  calibration: DetourCalibration;
  /** Called for every attempt and skip, e.g. to feed metrics. */
  onAttempt?: (capability: Capability, attempt: Attempt) => void;
  now?: () => number;
}

/** Nothing could place an address: `not_found` when every provider asked said so, else `unavailable`. */
export class GeocodeFailedError extends Error {
  constructor(
    readonly reason: 'not_found' | 'unavailable',
    readonly attempts: Attempt[],
  ) {
    super(`address could not be geocoded (${reason}): ${attempts.map((a) => `${a.provider} ${a.outcome}`).join(', ') || 'no provider'}`);
    this.name = 'GeocodeFailedError';
  }
}

/**
 * Routes and geocodes through the configured providers in order, each behind its own breaker, timeout and
 * concurrency bound, within one overall deadline, at most one attempt per provider; routing ends with the
 * Turf estimate, which always answers. Every result says who answered and what was tried.
 */
export class MapChain implements RoutingProvider {
  readonly name = 'chain';
  private readonly routers: Array<{ name: string; guard?: GuardedProvider<[LngLat, LngLat], Route> }>;
  private readonly geocoders: Array<{ name: string; guard?: GuardedProvider<[string], { lng: number; lat: number; provider: string }> }>;
  private readonly now: () => number;
  private turfAnswers = 0;

  constructor(private readonly options: MapChainOptions) {
    this.now = options.now ?? Date.now;
    this.routers = options.routers.map(({ name, provider }) => ({
      name,
      guard: provider
        ? new GuardedProvider(name, 'routing', (call: CallOptions, from: LngLat, to: LngLat) => provider.route(from, to, call), options.guard, this.now)
        : undefined,
    }));
    this.geocoders = options.geocoders.map(({ name, provider }) => ({
      name,
      guard: provider
        ? new GuardedProvider(name, 'geocoding', (call: CallOptions, address: string) => provider.geocode(address, call), options.guard, this.now)
        : undefined,
    }));
  }

  /**
   * The road route from `from` to `to`, or an honest estimate when no provider can answer in time. Providers
   * are asked in order; one that has not answered after `hedgeAfterMs` is not waited for alone: the next is
   * asked too and the first answer wins, so the first quotes of an outage cost the hedge delay rather than the
   * timeout. Each provider is still asked at most once; one left running finishes (or times out) on its own, so
   * its breaker still learns of the outage, and the quote lists it as `superseded`.
   */
  async route(from: LngLat, to: LngLat, options?: Pick<CallOptions, 'signal'>): Promise<RouteResult> {
    const { route, attempts } = await this.askProviders(from, to, options?.signal, true);
    if (route) return route;

    const started = performance.now();
    const factor = this.options.calibration.factorFor(from);
    const estimate = this.options.turf.estimate(from, to, factor.factor, factor.source);
    this.turfAnswers += 1;
    this.record('routing', attempts, { provider: estimate.provider, outcome: 'ok', ms: Math.round(performance.now() - started) });
    return { ...estimate, cached: false, attempts };
  }

  /**
   * The road route from the real providers only, never the Turf estimate: for re-pricing an estimated fee once a
   * provider is back. The route cache (which only holds real answers) is consulted first; then each configured
   * provider is asked at most once, in order, through its guard (breaker, concurrency bound, rate-limit pause).
   * Without a route, `attempts` says why: skipped as `breaker_open` or `rate_limited`, `timeout`, and so on.
   * With a route, `route.attempts` and `attempts` are the same list.
   */
  async realRoute(from: LngLat, to: LngLat, options?: Pick<CallOptions, 'signal'>): Promise<{ route?: RouteResult; attempts: Attempt[] }> {
    // Never hedged: the caller is a background job that spends one provider call from its budget per route, and
    // nobody is waiting on the answer, so asking a second provider early would cost budget to save nothing.
    return this.askProviders(from, to, options?.signal, false);
  }

  /**
   * The cached route, else the first real provider's answer within the chain deadline, each provider asked at
   * most once; with `hedge`, a provider slow past its hedge delay no longer holds up the next. Attempts come in
   * asking order; without a route they are what the caller adds its fallback to.
   */
  private async askProviders(
    from: LngLat,
    to: LngLat,
    signal: AbortSignal | undefined,
    hedge: boolean,
  ): Promise<{ route?: RouteResult; attempts: Attempt[] }> {
    const hit = this.options.routeCache.get(from, to);
    if (hit) return { route: { ...hit, cached: true, attempts: [] }, attempts: [] };

    const deadline = this.now() + this.options.deadlineMs;
    const attempts: Attempt[] = [];
    type Settled = { name: string; result: GuardedAttempt<Route> };
    const running = new Map<string, { started: number; settled: Promise<Settled> }>();
    const hedgeLimit = hedge ? (this.options.hedgeAfterMs ?? 0) : 0;
    let hedgeMs = hedgeLimit;
    let next = 0;
    let tooClose = false;
    const startNext = (): void => {
      while (next < this.routers.length) {
        const { name, guard } = this.routers[next++];
        if (!guard) {
          this.record('routing', attempts, { provider: name, outcome: 'no_credentials', ms: 0, skipped: true });
          continue;
        }
        const settled = guard.attempt(deadline - this.now(), signal, from, to).then((result) => ({ name, result }));
        running.set(name, { started: performance.now(), settled });
        const typical = guard.typicalLatencyMs();
        hedgeMs = hedgeLimit > 0 && typical !== undefined ? Math.min(hedgeLimit, Math.max(50, 3 * typical)) : hedgeLimit;
        return;
      }
    };

    startNext();
    while (running.size > 0) {
      const canHedge = hedgeMs > 0 && !tooClose && next < this.routers.length;
      let timer: NodeJS.Timeout | undefined;
      const hedgeTimer = canHedge ? new Promise<'hedge'>((resolve) => (timer = setTimeout(() => resolve('hedge'), hedgeMs))) : undefined;
      const first = await Promise.race([...[...running.values()].map((r) => r.settled), ...(hedgeTimer ? [hedgeTimer] : [])]);
      clearTimeout(timer);
      if (first === 'hedge') {
        startNext();
        continue;
      }
      running.delete(first.name);
      this.record('routing', attempts, first.result.attempt);
      const value = first.result.value;
      if (value) {
        for (const [name, { started }] of running) {
          this.record('routing', attempts, { provider: name, outcome: 'superseded', ms: Math.round(performance.now() - started) });
        }
        this.options.routeCache.set(from, to, value);
        this.options.calibration.observe(from, to, value.distanceMeters);
        const asked = this.inAskingOrder(attempts);
        return { route: { ...value, cached: false, attempts: asked }, attempts: asked };
      }
      // Within 5 m every provider will refuse alike, so asking the rest would only spend calls (route() estimates it).
      if (first.result.error?.outcome === 'too_close') tooClose = true;
      if (running.size === 0 && !tooClose) startNext();
    }
    return { attempts: this.inAskingOrder(attempts) };
  }

  /** True when some configured real routing provider could be asked now: its breaker not open, no rate-limit pause. */
  realRoutingAvailable(): boolean {
    return this.routers.some(({ guard }) => {
      if (!guard) return false;
      const health = guard.health();
      return health.state !== 'open' && health.rateLimitedUntil === undefined;
    });
  }

  /**
   * The point of an address: Kakao Local, then Naver, then the geocode cache. Providers come first so a
   * corrected map wins over an old answer; every answer they give is remembered, and the cache places
   * addresses seen before when no provider can (an outage), saying what was tried. Rejects with
   * `GeocodeFailedError`: `not_found` when every provider asked said so and none was left out for being down,
   * busy or out of time; otherwise `unavailable`.
   */
  async geocode(address: string, options?: Pick<CallOptions, 'signal'>): Promise<GeocodeResult> {
    const key = normaliseAddress(address);
    const deadline = this.now() + this.options.deadlineMs;
    const attempts: Attempt[] = [];
    for (const { name, guard } of this.geocoders) {
      if (!guard) {
        this.record('geocoding', attempts, { provider: name, outcome: 'no_credentials', ms: 0, skipped: true });
        continue;
      }
      const result = await guard.attempt(deadline - this.now(), options?.signal, address);
      this.record('geocoding', attempts, result.attempt);
      if (result.value) {
        const { lng, lat, provider } = result.value;
        await this.options.geocodeCache.set(key, { point: { lng, lat }, provider, geocodedAt: new Date(this.now()) });
        return { lng, lat, provider, cached: false, attempts };
      }
    }
    const cached = await this.options.geocodeCache.get(key);
    if (cached) return { ...cached.point, provider: cached.provider, cached: true, attempts };
    // A provider without keys was never going to answer; one skipped or failing might have.
    const uncertain = attempts.some((a) => a.outcome !== 'no_credentials' && !isTripProblem(a.outcome));
    const asked = attempts.some((a) => !a.skipped);
    throw new GeocodeFailedError(asked && !uncertain ? 'not_found' : 'unavailable', attempts);
  }

  /** Per provider and capability: breaker state, last error, counts by outcome; and how often Turf answered. */
  health(): ProviderHealth[] {
    const entries: ProviderHealth[] = [];
    for (const { name, guard } of this.routers) entries.push(guard ? guard.health() : idle(name, 'routing'));
    entries.push({ provider: this.options.turf.name, capability: 'routing', state: 'closed', inFlight: 0, counts: { ok: this.turfAnswers } });
    for (const { name, guard } of this.geocoders) entries.push(guard ? guard.health() : idle(name, 'geocoding'));
    return entries;
  }

  /** The calibrated detour factors, by geohash-5 cell. */
  calibration(): ReturnType<DetourCalibration['snapshot']> {
    return this.options.calibration.snapshot();
  }

  /** Stops the breakers' timers. */
  close(): void {
    for (const { guard } of [...this.routers, ...this.geocoders]) guard?.shutdown();
  }

  /** Hedged calls settle in any order; provenance lists providers in the order they were asked (Turf last). */
  private inAskingOrder(attempts: Attempt[]): Attempt[] {
    const rank = (a: Attempt) => {
      const index = this.routers.findIndex((r) => r.name === a.provider);
      return index < 0 ? this.routers.length : index;
    };
    return [...attempts].sort((a, b) => rank(a) - rank(b));
  }

  /** Calls `listener` with every attempt from now on (metrics subscribe here); returns the unsubscribe. */
  addAttemptListener(listener: (capability: Capability, attempt: Attempt) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private readonly listeners = new Set<(capability: Capability, attempt: Attempt) => void>();

  private record(capability: Capability, attempts: Attempt[], attempt: Attempt): void {
    attempts.push(attempt);
    this.options.onAttempt?.(capability, attempt);
    for (const listener of this.listeners) listener(capability, attempt);
  }
}

function idle(provider: string, capability: Capability): ProviderHealth {
  return { provider, capability, state: 'no_credentials', inFlight: 0, counts: {} };
}
