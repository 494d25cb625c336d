import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { FeeQuote, PATTERNS, validateContract, type FeeQuoteRequest } from '#contracts';
import { Messaging } from '#messaging';
import { Rounds } from '#platform';
import { DispatchWakeup } from '../offers/dispatch-wakeup.js';
import { DeliveriesService } from './deliveries.service.js';
import { PRICING_PROBLEM_CODES, type DeliveryEntity, type PricingProblem, type PricingProblemCode } from './delivery.entity.js';

/** How long one `fee.quote` may take; the fee service answers in milliseconds when it is up. */
const FEE_TIMEOUT_MS = 5_000;
const BATCH = 100;

/**
 * Prices new deliveries (and those offered or taken with their fee pending) through the fee service. When fee does not answer, or refuses to price (no tariff,
 * outside the service area...: kept on the delivery as its pricing problem), the delivery waits and is tried
 * again later, with a delay that doubles per failed attempt (one sweep interval up to 32), so an outage costs
 * a request now and then rather than a hot loop, and no delivery is ever dropped.
 */
@Injectable()
export class DeliveryPricing {
  private readonly logger = new Logger('pricing');
  private readonly rounds: Rounds;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly messaging: Messaging,
    private readonly deliveries: DeliveriesService,
    private readonly wakeup: DispatchWakeup,
  ) {
    // A pass that found a full batch due asks for the next at once, so a backlog is priced as fast as fee answers.
    this.rounds = new Rounds(
      async () => {
        if ((await this.pass()).full) this.rounds.wake();
      },
      config.dispatch.sweepIntervalMs,
      (error) => this.logger.error(`pricing pass failed: ${(error as Error)?.message ?? String(error)}`),
    );
  }

  /** Passes every sweep interval from now on, for retries that come due. */
  start(): void {
    this.rounds.start();
  }

  /**
   * A pricing pass now, or right after the running one: a new delivery is priced as soon as it exists. Never
   * waits for the fee service, so offers keep moving.
   */
  kick(): void {
    this.rounds.wake();
  }

  /** No pass starts after this; resolves when the running one has finished (for shutdown). */
  stop(): Promise<void> {
    return this.rounds.stop();
  }

  /** Resolves when the running pass (if any) has finished. */
  idle(): Promise<void> {
    return this.rounds.idle();
  }

  /** Prices the deliveries that are due; returns how many were priced. */
  async priceDue(): Promise<number> {
    return (await this.pass()).priced;
  }

  /** A pricing pass: how many it priced, and whether a full batch was due (more may be waiting). */
  private async pass(): Promise<{ priced: number; full: boolean }> {
    const due = await this.deliveries.dueForPricing(BATCH);
    const priced = (await Promise.all(due.map((delivery) => this.price(delivery)))).filter(Boolean).length;
    if (priced > 0) this.wakeup.wake();
    return { priced, full: due.length === BATCH };
  }

  backoffMs(failedAttempts: number): number {
    const interval = this.config.dispatch.sweepIntervalMs;
    return interval * 2 ** Math.min(failedAttempts, 5);
  }

  private async price(delivery: DeliveryEntity): Promise<boolean> {
    const request: FeeQuoteRequest = {
      pickup: { lng: delivery.pickupLng, lat: delivery.pickupLat },
      dropoff: { lng: delivery.dropoffLng, lat: delivery.dropoffLat },
      agencyId: delivery.agencyId,
      orderId: delivery.orderId,
    };
    try {
      const reply = await this.messaging.request<unknown>(PATTERNS.FEE_QUOTE, request, FEE_TIMEOUT_MS);
      const quote = validateContract(FeeQuote, reply);
      if (!quote.ok) throw new Error(`fee answered with an invalid quote: ${quote.errors.map((e) => e.field).join(', ')}`);
      return await this.deliveries.recordQuote(delivery.id, quote.value);
    } catch (error) {
      // A refusal is retried like an outage: the agency may fix its tariff, and a new agency's tariff appears
      // once fee has its agency.registered. Only a refusal is shown to the agency; an outage is not its doing.
      const problem = pricingProblem(error);
      const delay = this.backoffMs(delivery.quoteAttempts);
      this.logger.warn(
        `no price for delivery ${delivery.id} (order ${delivery.orderId}, agency ${delivery.agencyId}, attempt ${delivery.quoteAttempts + 1}): ` +
          `${problem ? `fee refused, ${problem.code}: ${problem.message}` : describe(error)}; it waits, next try in ${delay} ms`,
      );
      await this.deliveries.postponePricing(delivery.id, delay, problem);
      // Fee did not answer: the delivery may be offered at once with its fee pending, rather than wait.
      if (!problem) this.wakeup.wake();
      return false;
    }
  }
}

/** The fee service's refusal to price, as it arrives over RPC (`{ code, message, details }`), if it is one. */
function pricingProblem(error: unknown): PricingProblem | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (!PRICING_PROBLEM_CODES.includes(code as PricingProblemCode)) return undefined;
  return { code: code as PricingProblemCode, message: typeof message === 'string' ? message : String(code), at: new Date().toISOString() };
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (error && typeof error === 'object' && 'code' in error) return `${String((error as { code: unknown }).code)}: ${String((error as { message?: unknown }).message ?? '')}`;
  return String(error);
}
