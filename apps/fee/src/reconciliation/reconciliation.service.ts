import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { isTripProblem, MAP_CHAIN, type Attempt, type MapChain } from '#maps';
import type { Tariff } from '../tariffs/tariff.js';
import { compileTariff, type CompiledTariff } from '../tariffs/tariff.pricing.js';
import { TariffsService } from '../tariffs/tariffs.service.js';
import { ReconciliationRepository, type NewReconcileFailure, type PendingQuote, type RetryPolicy } from './reconciliation.repository.js';
import { TokenBucket } from './token-bucket.js';

export interface ReconcileResult {
  repriced: number;
  /** Why the pass ended with quotes left: `budget`, `locked`, `real_routing_unavailable`, or the providers' outcomes. */
  stoppedBecause?: string;
}

/** Pending quotes read at a time. */
const PAGE = 50;

/**
 * A quote that could not be re-priced (no road route for the trip, its tariff version missing, the tariff
 * refusing the trip) is tried again 1, 2, 4 and 8 hours later; after the fifth failed try it is left alone,
 * counted as failing until someone looks. Meanwhile it neither spends the budget nor holds up the others.
 */
export const RECONCILE_RETRY: RetryPolicy = { firstRetryMs: 3_600_000, maxTries: 5 };

/** Why one quote was passed over, or why the whole pass stops. */
type Outcome = { repriced: boolean } | { stop: string };

@Injectable()
export class ReconciliationService {
  private readonly logger = new Logger('reconciliation');
  private readonly budget: TokenBucket;
  private running?: Promise<ReconcileResult>;

  constructor(
    @Inject(MAP_CHAIN) private readonly maps: Pick<MapChain, 'realRoute' | 'realRoutingAvailable'>,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly tariffs: TariffsService,
    private readonly reconciliation: ReconciliationRepository,
  ) {
    this.budget = new TokenBucket(config.fee.reconcilePerMinute);
  }

  /**
   * One pass: re-prices the estimated quotes deliveries were charged at by the road route a real provider
   * gives, oldest first, while a real provider is healthy and the per-minute call budget lasts (live quotes
   * share the provider's quota), one instance at a time across processes. A call already running in this
   * process is joined rather than doubled.
   */
  reconcileNow(): Promise<ReconcileResult> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  /**
   * What the agency's dashboard shows: estimated fees awaiting a real route, the oldest, those that could not be
   * re-priced, and today's adjustments.
   */
  async status(agencyId: string, now = new Date()): Promise<{ pending: number; oldestPricedAt: string | null; failing: number; adjustedToday: number }> {
    const status = await this.reconciliation.status(agencyId, now);
    return {
      pending: status.pending,
      oldestPricedAt: status.oldestPricedAt?.toISOString() ?? null,
      failing: status.failing,
      adjustedToday: status.adjustedToday,
    };
  }

  /** Resolves once no pass is running (for shutdown). */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private async pass(): Promise<ReconcileResult> {
    if (!this.maps.realRoutingAvailable()) return { repriced: 0, stoppedBecause: 'real_routing_unavailable' };
    const locked = await this.reconciliation.whileLocked(() => this.work());
    return locked.locked ? locked.value : { repriced: 0, stoppedBecause: 'locked' };
  }

  private async work(): Promise<ReconcileResult> {
    let repriced = 0;
    let after: PendingQuote | undefined;
    for (;;) {
      const page = await this.reconciliation.pending(PAGE, new Date(), after);
      if (page.length === 0) return { repriced };
      for (const quote of page) {
        const outcome = await this.reconcile(quote);
        if ('stop' in outcome) return { repriced, stoppedBecause: outcome.stop };
        if (outcome.repriced) repriced += 1;
        after = quote;
      }
    }
  }

  private async reconcile(quote: PendingQuote): Promise<Outcome> {
    if (!this.maps.realRoutingAvailable()) return { stop: 'real_routing_unavailable' };
    if (!this.budget.take()) return { stop: 'budget' };
    const { route, attempts } = await this.maps.realRoute(quote.pickup, quote.dropoff);
    // A cached route cost no provider call.
    if (route?.cached) this.budget.giveBack();
    if (!route) {
      // The trip itself has no road route: another provider's health would not change that.
      if (onlyTripProblems(attempts)) return this.failed(quote, { reason: 'no_real_route', detail: describe(attempts), attempts });
      return { stop: describe(attempts) || 'no_real_provider' };
    }

    const version = await this.tariffs.version(quote.agencyId, quote.tariffVersion);
    if (!version) {
      const detail = `tariff version ${quote.tariffVersion} of agency ${quote.agencyId} is missing`;
      return this.failed(quote, { reason: 'tariff_version_missing', detail, attempts });
    }
    const priced = deliveredTrip(version.tariff).price({ distanceMeters: route.distanceMeters, pickup: quote.pickup, dropoff: quote.dropoff, at: quote.pricedAt });
    if (!priced.ok) return this.failed(quote, { reason: 'not_priced', detail: `${priced.reason}: ${priced.message}`, attempts });
    const adjustment = {
      quoteId: quote.id,
      agencyId: quote.agencyId,
      provider: route.provider,
      distanceMeters: route.distanceMeters,
      durationSeconds: route.durationSeconds,
      attempts,
      total: priced.total,
      items: priced.items,
      riderPay: priced.riderPay.total,
      riderPayItems: priced.riderPay.items,
      feeDifference: priced.total - quote.total,
      riderPayDifference: priced.riderPay.total - quote.riderPay,
    };
    const added = await this.reconciliation.insertAdjustment(adjustment);
    if (added) {
      this.logger.log(
        `quote ${quote.id} reconciled: ${quote.provider} ${quote.distanceMeters} m ${quote.total} KRW -> ${route.provider} ${route.distanceMeters} m ` +
          `${priced.total} KRW (fee ${signed(adjustment.feeDifference)}, rider pay ${signed(adjustment.riderPayDifference)})`,
      );
    }
    return { repriced: added };
  }

  /** Records why the quote could not be re-priced and when it is tried again; the pass goes on with the next. */
  private async failed(quote: PendingQuote, failure: Omit<NewReconcileFailure, 'quoteId'>): Promise<Outcome> {
    const { tries, nextTryAt } = await this.reconciliation.recordFailure({ quoteId: quote.id, ...failure }, new Date(), RECONCILE_RETRY);
    const next = nextTryAt ? `tried again from ${nextTryAt.toISOString()}` : 'not tried again';
    const message = `quote ${quote.id}: could not re-price (${failure.reason}: ${failure.detail}), try ${tries}; left as estimated, ${next}`;
    // No road route is the map's answer about the trip; the others mean the stored data is wrong.
    if (failure.reason === 'no_real_route') this.logger.warn(message);
    else this.logger.error(message);
    return { repriced: false };
  }
}

/**
 * The quote's own tariff as the delivery is settled by it: the delivery happened, so neither the service area
 * nor a maximum distance (nor the end of the last distance band, which acts as one) may refuse it now.
 */
function deliveredTrip(tariff: Tariff): CompiledTariff {
  const { serviceArea: _area, maximumDistanceMeters: _maximum, ...terms } = tariff;
  const distance = terms.distance.kind === 'bands' ? { ...terms.distance, bands: terms.distance.bands.map((band, i, all) => (i === all.length - 1 ? { fromMeters: band.fromMeters, amount: band.amount } : band)) } : terms.distance;
  return compileTariff({ ...terms, distance });
}

function onlyTripProblems(attempts: Attempt[]): boolean {
  const asked = attempts.filter((a) => a.outcome !== 'no_credentials');
  return asked.length > 0 && asked.every((a) => isTripProblem(a.outcome));
}

/** e.g. `kakao rate_limited, naver breaker_open`. */
function describe(attempts: Attempt[]): string {
  return attempts
    .filter((a) => a.outcome !== 'no_credentials')
    .map((a) => `${a.provider} ${a.outcome}`)
    .join(', ');
}

function signed(amount: number): string {
  return amount > 0 ? `+${amount}` : String(amount);
}
