/**
 * How one call to a map provider ended. Every adapter reduces the provider's own wire format (status codes,
 * gateway error bodies, result codes inside a 200) to one of these, so the chain, the breakers and the
 * provenance all speak the same words.
 */
export type CallOutcome =
  | 'ok'
  /** No road route exists, or the provider declines this particular trip (too long, blocked road). */
  | 'no_route'
  /** Origin and destination are the same point or within a few metres of each other. */
  | 'too_close'
  /** The origin, destination or a waypoint is not near a road. */
  | 'not_near_road'
  /** A geocoder found no place for the address. */
  | 'not_found'
  /** The provider refused the request itself as invalid (our mistake, not the provider's health). */
  | 'bad_request'
  /** Key missing, wrong, or not allowed to use this API. */
  | 'bad_credentials'
  /** Quota or rate limit; the provider is left alone until its Retry-After has passed. */
  | 'rate_limited'
  /** 5xx, gateway errors, connection refused or reset. */
  | 'unavailable'
  /** No answer within the time the call was given; the request was aborted. */
  | 'timeout'
  /** An answer that does not parse or lacks the documented fields. */
  | 'malformed';

/** Why the chain did not call a provider at all. */
export type SkipOutcome = 'no_credentials' | 'breaker_open' | 'rate_limited' | 'busy' | 'deadline' | 'superseded';

export type AttemptOutcome = CallOutcome | SkipOutcome;

/**
 * Outcomes that describe the trip or the address, not the provider's health: the provider answered properly.
 * They never count towards opening its breaker.
 */
const TRIP_PROBLEMS: ReadonlySet<CallOutcome> = new Set(['no_route', 'too_close', 'not_near_road', 'not_found', 'bad_request']);

/** Outcomes a breaker counts as a failure of the provider. */
const PROVIDER_FAILURES: ReadonlySet<CallOutcome> = new Set(['bad_credentials', 'unavailable', 'timeout', 'malformed']);

/** True when the outcome is about the trip or address rather than the provider (it answered, correctly). */
export function isTripProblem(outcome: AttemptOutcome): boolean {
  return TRIP_PROBLEMS.has(outcome as CallOutcome);
}

/** True when the outcome should count against the provider's circuit breaker. */
export function countsAgainstProvider(outcome: AttemptOutcome): boolean {
  return PROVIDER_FAILURES.has(outcome as CallOutcome);
}

/** A provider call that did not produce a result, classified. */
export class ProviderError extends Error {
  constructor(
    readonly provider: string,
    readonly outcome: CallOutcome,
    message: string,
    readonly status?: number,
    /** Set for `rate_limited` when the provider said how long to wait. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/** Re-exported for the adapters, which read a rate-limited answer's `Retry-After` with it. */
export { parseRetryAfter } from '#platform';
