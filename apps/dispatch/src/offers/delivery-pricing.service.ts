import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { PATTERNS, readFeeQuote, type FeeQuoteRequest } from '#contracts';
import { Messaging } from '#messaging';
import { about, Rounds, withLogContext } from '#platform';
import { DeliveriesService } from '../deliveries/deliveries.service.js';
import { deliveryIds } from '../deliveries/delivery-log.js';
import { PRICING_PROBLEM_CODES, type DeliveryEntity, type PricingProblem, type PricingProblemCode } from '../deliveries/delivery.entity.js';
import { DispatchWakeup } from './dispatch-wakeup.js';
import { OffersService } from './offers.service.js';

/** How long one `fee.quote` may take; the fee service answers in milliseconds when it is up. */
const FEE_TIMEOUT_MS = 5_000;
const BATCH = 100;
/** New deliveries whose price is asked at once, each as it arrives; more wait in line for one of them to finish. */
const AT_ONCE = 100;

/**
 * Prices new deliveries (and those offered or taken with their fee pending) through the fee service; a new one
 * is offered as its price is stored. When fee does not answer, or refuses to price (no tariff,
 * outside the service area...: kept on the delivery as its pricing problem), the delivery waits and is tried
 * again later, with a delay that doubles per failed attempt (one sweep interval up to 32), so an outage costs
 * a request now and then rather than a hot loop, and no delivery is ever dropped.
 */
@Injectable()
export class DeliveryPricing {
  private readonly logger = new Logger('pricing');
  private readonly rounds: Rounds;
  /** Deliveries whose price is being asked for now: a pass leaves them alone. */
  private readonly asking = new Set<string>();
  /** New deliveries waiting for a place among the AT_ONCE, by id, in the order they came. */
  private readonly queued = new Map<string, DeliveryEntity>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly messaging: Messaging,
    private readonly deliveries: DeliveriesService,
    private readonly offers: OffersService,
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
   * Asks the price of a new delivery at once, without waiting for a pass (the pass's query and its other
   * deliveries would add their time to this one's). Never waits for the fee service, so offers keep moving.
   * With AT_ONCE deliveries already waiting for fee, it waits in line; the pass leaves it alone while it is new
   * (see `firstAttemptMs`), and takes it after a restart that lost the line.
   */
  priceNow(delivery: DeliveryEntity): void {
    if (this.asking.size >= AT_ONCE) {
      this.queued.set(delivery.id, delivery);
      return;
    }
    this.price(delivery)
      .catch((error: unknown) =>
        // Not even postponed (the database failed too): the delivery is still unpriced, so a pass retries it.
        this.logger.error(about(deliveryIds(delivery), `pricing delivery ${delivery.id} failed: ${(error as Error)?.message ?? String(error)}`)),
      )
      .finally(() => {
        const [next] = this.queued.values();
        if (!next) return;
        this.queued.delete(next.id);
        this.priceNow(next);
      });
  }

  /** How long a new delivery's first attempt may take before a pass takes it: the fee's timeout and a pass. */
  private get firstAttemptMs(): number {
    return FEE_TIMEOUT_MS + this.config.dispatch.sweepIntervalMs;
  }

  /** A pricing pass now, or right after the running one. */
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
    const due = await this.deliveries.dueForPricing(BATCH, this.firstAttemptMs);
    const priced = (await Promise.all(due.filter((delivery) => !this.asking.has(delivery.id) && !this.queued.has(delivery.id)).map((delivery) => this.price(delivery)))).filter(Boolean).length;
    return { priced, full: due.length === BATCH };
  }

  backoffMs(failedAttempts: number): number {
    const interval = this.config.dispatch.sweepIntervalMs;
    return interval * 2 ** Math.min(failedAttempts, 5);
  }

  /**
   * One attempt at the delivery's price; an answer is stored (and offering follows from there), a failure postponed.
   * What is logged meanwhile, here and in fee (the request names the delivery), is about this delivery.
   */
  private price(delivery: DeliveryEntity): Promise<boolean> {
    this.asking.add(delivery.id);
    return withLogContext(deliveryIds(delivery), async () => {
      try {
        return await this.ask(delivery);
      } finally {
        this.asking.delete(delivery.id);
      }
    });
  }

  private async ask(delivery: DeliveryEntity): Promise<boolean> {
    const request: FeeQuoteRequest = {
      pickup: { lng: delivery.pickupLng, lat: delivery.pickupLat },
      dropoff: { lng: delivery.dropoffLng, lat: delivery.dropoffLat },
      agencyId: delivery.agencyId,
      orderId: delivery.orderId,
      deliveryId: delivery.id,
    };
    // What offering will need is read while fee answers, so the offer follows the price at once.
    const surroundings = this.offers.lookAhead(delivery);
    try {
      const reply = await this.messaging.request<unknown>(PATTERNS.FEE_QUOTE, request, FEE_TIMEOUT_MS);
      const quote = readFeeQuote(reply);
      if (!quote.ok) throw new Error(`fee answered with an invalid quote: ${quote.errors.map((e) => e.field).join(', ')}`);
      // A delivery that simply waits is priced and offered in one go; any other (offered meanwhile with its fee
      // pending, say) is priced on its own.
      return (await this.offers.offerAtPrice(delivery, quote.value, surroundings)) || (await this.deliveries.recordQuote(delivery.id, quote.value));
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
