import CircuitBreaker from 'opossum';
import { ProviderError, countsAgainstProvider, isTripProblem, type AttemptOutcome } from './provider-outcome.js';
import type { CallOptions } from './provider-http.js';
import type { Attempt } from './routing.js';

/** Resilience settings for one provider. */
export interface GuardOptions {
  timeoutMs: number;
  concurrency: number;
  errorThresholdPercentage: number;
  volumeThreshold: number;
  resetTimeoutMs: number;
  rollingWindowMs: number;
  /** Provider failures in a row that open the breaker whatever the window's percentage says (0: off). */
  consecutiveFailures: number;
  rateLimitBackoffMs: number;
}

export type Capability = 'routing' | 'geocoding';

/** What operators see of one provider: `/health` and `/metrics` read this. */
export interface ProviderHealth {
  provider: string;
  capability: Capability;
  state: 'closed' | 'open' | 'half_open' | 'no_credentials';
  inFlight: number;
  /** ISO time until which the provider is skipped after a rate limit. */
  rateLimitedUntil?: string;
  lastError?: { outcome: AttemptOutcome; message: string; at: string };
  /** Attempts by outcome since start, skips included. */
  counts: Partial<Record<AttemptOutcome, number>>;
}

/** Below this, a call cannot finish anyway; the provider is skipped rather than started and cut. */
const MIN_CALL_MS = 20;

/** The result of giving one provider its single chance. */
export interface GuardedAttempt<R> {
  value?: R;
  error?: ProviderError;
  attempt: Attempt;
}

/**
 * One provider behind its own circuit breaker (opossum, created once), a concurrency bound, and a rate-limit
 * pause. Only provider failures count towards the breaker: trip problems and rate limits are filtered, and a
 * full concurrency bound is checked before firing, so being busy never looks like being broken.
 */
export class GuardedProvider<A extends unknown[], R> {
  private readonly breaker: CircuitBreaker<[CallOptions, ...A], R>;
  private inFlight = 0;
  private failuresInARow = 0;
  private rateLimitedUntil = 0;
  private lastError?: ProviderHealth['lastError'];
  private readonly counts: Partial<Record<AttemptOutcome, number>> = {};
  /** Moving average of successful calls' time, for deciding when this provider is late. */
  private typicalMs?: number;

  constructor(
    readonly provider: string,
    readonly capability: Capability,
    action: (options: CallOptions, ...args: A) => Promise<R>,
    private readonly options: GuardOptions,
    private readonly now: () => number = Date.now,
  ) {
    const buckets = options.rollingWindowMs % 10 === 0 ? 10 : 1;
    this.breaker = new CircuitBreaker(action, {
      name: `${provider}.${capability}`,
      // Each call carries its own AbortSignal timeout, which really cancels the request; opossum's would not.
      timeout: false,
      errorThresholdPercentage: options.errorThresholdPercentage,
      volumeThreshold: options.volumeThreshold,
      resetTimeout: options.resetTimeoutMs,
      rollingCountTimeout: options.rollingWindowMs,
      rollingCountBuckets: buckets,
      errorFilter: (error: unknown) => !(error instanceof ProviderError) || !countsAgainstProvider(error.outcome),
    });
  }

  /** Calls the provider once within `budgetMs`, or says why it was skipped. Never throws. */
  async attempt(budgetMs: number, signal: AbortSignal | undefined, ...args: A): Promise<GuardedAttempt<R>> {
    const now = this.now();
    if (now < this.rateLimitedUntil) {
      return this.skip('rate_limited', `paused until ${new Date(this.rateLimitedUntil).toISOString()} after a rate limit`);
    }
    if (this.breaker.opened) return this.skip('breaker_open', 'circuit open');
    if (this.inFlight >= this.options.concurrency) return this.skip('busy', `${this.inFlight} calls already in flight`);
    if (budgetMs < MIN_CALL_MS) return this.skip('deadline', `only ${Math.max(0, Math.floor(budgetMs))} ms left`);

    const timeoutMs = Math.min(this.options.timeoutMs, budgetMs);
    const started = performance.now();
    this.inFlight += 1;
    try {
      const value = await this.breaker.fire({ timeoutMs, signal }, ...args);
      const ms = Math.round(performance.now() - started);
      this.count('ok');
      this.failuresInARow = 0;
      this.typicalMs = this.typicalMs === undefined ? ms : 0.9 * this.typicalMs + 0.1 * ms;
      return { value, attempt: { provider: this.provider, outcome: 'ok', ms } };
    } catch (caught) {
      const ms = Math.round(performance.now() - started);
      if ((caught as { code?: string }).code === 'EOPENBREAKER') {
        // Half-open lets a single probe through; everyone else meanwhile is skipped as if open.
        return this.skip('breaker_open', 'circuit half-open, probe in flight');
      }
      const error =
        caught instanceof ProviderError
          ? caught
          : new ProviderError(this.provider, 'malformed', `unexpected: ${caught instanceof Error ? caught.message : String(caught)}`);
      let message = error.message;
      if (error.outcome === 'timeout' && timeoutMs < this.options.timeoutMs) message += ' (cut short by the chain deadline)';
      if (error.outcome === 'rate_limited') {
        const pause = error.retryAfterMs ?? this.options.rateLimitBackoffMs;
        this.rateLimitedUntil = this.now() + pause;
      }
      this.count(error.outcome);
      this.noteFailure(error.outcome);
      if (!isTripProblem(error.outcome)) this.lastError = { outcome: error.outcome, message, at: new Date().toISOString() };
      return { error, attempt: { provider: this.provider, outcome: error.outcome, ms, message } };
    } finally {
      this.inFlight -= 1;
    }
  }

  /** How long this provider usually takes to answer (moving average of successes); undefined before the first. */
  typicalLatencyMs(): number | undefined {
    return this.typicalMs;
  }

  health(): ProviderHealth {
    const state = this.breaker.opened ? 'open' : this.breaker.halfOpen ? 'half_open' : 'closed';
    return {
      provider: this.provider,
      capability: this.capability,
      state,
      inFlight: this.inFlight,
      rateLimitedUntil: this.rateLimitedUntil > this.now() ? new Date(this.rateLimitedUntil).toISOString() : undefined,
      lastError: this.lastError,
      counts: { ...this.counts },
    };
  }

  /** Stops the breaker's timers. */
  shutdown(): void {
    this.breaker.shutdown();
  }

  /**
   * A percentage over a rolling window reacts slowly right after busy healthy traffic: ten seconds of successes
   * outvote the first timeouts of an outage while every quote pays the full timeout. Failures in a row are the
   * quicker sign that the provider just went down, so they open the breaker too.
   */
  private noteFailure(outcome: AttemptOutcome): void {
    if (isTripProblem(outcome)) {
      this.failuresInARow = 0;
      return;
    }
    if (!countsAgainstProvider(outcome)) return;
    this.failuresInARow += 1;
    const limit = this.options.consecutiveFailures;
    if (limit > 0 && this.failuresInARow >= limit && !this.breaker.opened) this.breaker.open();
  }

  private skip(outcome: AttemptOutcome, message: string): GuardedAttempt<R> {
    this.count(outcome);
    return { attempt: { provider: this.provider, outcome, ms: 0, skipped: true, message } };
  }

  private count(outcome: AttemptOutcome): void {
    this.counts[outcome] = (this.counts[outcome] ?? 0) + 1;
  }
}
