import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { FEE_QUOTE_BATCH_LIMIT, PATTERNS, readFeeQuote, readFeeQuoteBatch, type FeeQuote, type FeeQuoteRequest } from '#contracts';
import { GroupCommit } from '#database';
import { Messaging } from '#messaging';
import { about, Rounds, withLogContext } from '#platform';
import { DeliveriesService } from '../deliveries/deliveries.service.js';
import { deliveryIds } from '../deliveries/delivery-log.js';
import { PRICING_PROBLEM_CODES, type DeliveryEntity, type PricingProblem, type PricingProblemCode } from '../deliveries/delivery.entity.js';
import { AgencyLeases } from '../leases/agency-leases.service.js';
import { DispatchWakeup } from './dispatch-wakeup.js';
import { OfferingService } from './offering.service.js';

/** How long one `fee.quote` (or a batch of them) may take; the fee service answers in milliseconds when it is up. */
const FEE_TIMEOUT_MS = 5_000;
const BATCH = 100;
/** Requests to fee at once; deliveries that arrive meanwhile wait and go together in the next (up to a batch). */
const IN_FLIGHT = 4;

/** Fee's answer for one delivery: its quote, or why there is none. */
type Answer = { quote: FeeQuote } | { failed: unknown };

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
  /** Deliveries whose price is being asked for now (or waiting to be): a pass leaves them alone. */
  private readonly asking = new Set<string>();

  /**
   * Deliveries that arrive together are priced by one `fee.quote-batch`: those of one turn of the event loop, and
   * those that arrive while IN_FLIGHT requests are out. A lone one goes at once as `fee.quote`.
   */
  private readonly asks = new GroupCommit<DeliveryEntity, Answer>(
    (deliveries) => this.askMany(deliveries),
    (delivery) => this.askOne(delivery),
    { maxBatch: FEE_QUOTE_BATCH_LIMIT, maxInFlight: IN_FLIGHT, gather: 'turn' },
  );

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly messaging: Messaging,
    private readonly deliveries: DeliveriesService,
    private readonly offers: OfferingService,
    private readonly wakeup: DispatchWakeup,
    private readonly leases: AgencyLeases,
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
   * deliveries would add their time to this one's). Never waits for the fee service, so offers keep moving. The
   * pass leaves it alone while it is new (see `firstAttemptMs`), and takes it after a restart that lost the ask.
   */
  priceNow(delivery: DeliveryEntity): void {
    // Another instance plans the agency: it prices and offers the delivery in one go, as it does its own. A hand-over
    // that cannot be made, or fails on the way, is priced here instead (the owner's rounds then offer it).
    if (this.leases.isHeldElsewhere(delivery.agencyId) && this.wakeup.handOver(delivery, () => this.priceHere(delivery))) return;
    this.priceHere(delivery);
  }

  private priceHere(delivery: DeliveryEntity): void {
    this.price(delivery).catch((error: unknown) =>
      // Not even postponed (the database failed too): the delivery is still unpriced, so a pass retries it.
      this.logger.error(about(deliveryIds(delivery), `pricing delivery ${delivery.id} failed: ${(error as Error)?.message ?? String(error)}`)),
    );
  }

  /**
   * A new delivery another instance took and handed over, this instance planning its agency: priced here now, as if
   * it had arrived here (never handed on again, even if this instance's view of the leases has just changed). One
   * priced meanwhile, or gone, is left alone; a hand-over lost on the way costs the wait for a pass
   * (`firstAttemptMs`), never the delivery.
   */
  async priceHandedOver(deliveryId: string): Promise<void> {
    const delivery = await this.deliveries.waitingForFirstPrice(deliveryId);
    if (delivery && !this.asking.has(delivery.id)) this.priceHere(delivery);
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

  /** A pricing pass over the agencies this instance owns: how many it priced, and whether a full batch was due (more may be waiting). */
  private async pass(): Promise<{ priced: number; full: boolean }> {
    const due = await this.deliveries.dueForPricing(BATCH, this.firstAttemptMs, this.leases.heldElsewhere());
    const owned = await this.leases.own(due.map((delivery) => delivery.agencyId));
    const mine = due.filter((delivery) => owned.has(delivery.agencyId) && !this.asking.has(delivery.id));
    const priced = (await Promise.all(mine.map((delivery) => this.price(delivery)))).filter(Boolean).length;
    return { priced, full: due.length === BATCH };
  }

  backoffMs(failedAttempts: number): number {
    const interval = this.config.dispatch.sweepIntervalMs;
    return interval * 2 ** Math.min(failedAttempts, 5);
  }

  /**
   * One attempt at the delivery's price; an answer is stored (and offering follows from there), a failure postponed.
   * What is logged meanwhile, here and in fee (the request names the delivery), is about this delivery. The owner
   * of the delivery's agency writes under its lease's fence; another instance (the one that took the order) only
   * stores the price, and the owner's rounds offer it.
   */
  private price(delivery: DeliveryEntity): Promise<boolean> {
    this.asking.add(delivery.id);
    return withLogContext(deliveryIds(delivery), async () => {
      try {
        // What offering will need is read while fee answers, so the offer follows the price at once.
        const surroundings = this.offers.lookAhead(delivery);
        const answer = await this.asks.submit(delivery);
        if ('failed' in answer) throw answer.failed;
        // A delivery that simply waits is priced and offered in one go; any other (offered meanwhile with its fee
        // pending, say) is priced on its own.
        return (
          (await this.offers.offerAtPrice(delivery, answer.quote, surroundings)) ||
          (await this.deliveries.recordQuote(delivery.id, answer.quote, { fence: this.fenceOf(delivery) }))
        );
      } catch (error) {
        await this.postpone(delivery, error);
        return false;
      } finally {
        this.asking.delete(delivery.id);
      }
    });
  }

  /**
   * A refusal is retried like an outage: the agency may fix its tariff, and a new agency's tariff appears once fee
   * has its agency.registered. Only a refusal is shown to the agency; an outage is not its doing.
   */
  private async postpone(delivery: DeliveryEntity, error: unknown): Promise<void> {
    const problem = pricingProblem(error);
    const delay = this.backoffMs(delivery.quoteAttempts);
    this.logger.warn(
      `no price for delivery ${delivery.id} (order ${delivery.orderId}, agency ${delivery.agencyId}, attempt ${delivery.quoteAttempts + 1}): ` +
        `${problem ? `fee refused, ${problem.code}: ${problem.message}` : describe(error)}; it waits, next try in ${delay} ms`,
    );
    await this.deliveries.postponePricing(delivery.id, delay, { problem, fence: this.fenceOf(delivery) });
    // Fee did not answer: the delivery may be offered at once with its fee pending, rather than wait.
    if (!problem) this.wakeup.wake();
  }

  /** The fence of the delivery's agency when this instance owns it. */
  private fenceOf(delivery: DeliveryEntity) {
    return this.leases.owns(delivery.agencyId) ? this.leases.fence([delivery.agencyId]) : undefined;
  }

  private async askOne(delivery: DeliveryEntity): Promise<Answer> {
    try {
      const quote = readFeeQuote(await this.messaging.request<unknown>(PATTERNS.FEE_QUOTE, quoteRequest(delivery), FEE_TIMEOUT_MS));
      return quote.ok ? { quote: quote.value } : { failed: new Error(`fee answered with an invalid quote: ${quote.errors.map((e) => e.field).join(', ')}`) };
    } catch (error) {
      return { failed: error };
    }
  }

  /**
   * One `fee.quote-batch` for the deliveries, each answered with its quote or its own refusal. A fee that does not
   * know the batch (an older one, during a rolling upgrade) is asked one `fee.quote` per delivery instead (GroupCommit
   * does that when this throws); a fee that does not answer leaves them all to the retry.
   */
  private async askMany(deliveries: DeliveryEntity[]): Promise<Answer[]> {
    let reply: unknown;
    try {
      reply = await this.messaging.request<unknown>(PATTERNS.FEE_QUOTE_BATCH, { quotes: deliveries.map(quoteRequest) }, FEE_TIMEOUT_MS);
    } catch (error) {
      if (unknownPattern(error)) throw error;
      return deliveries.map(() => ({ failed: error }));
    }
    const read = readFeeQuoteBatch(reply, deliveries.length);
    if (!read.ok) {
      const failed = new Error(`fee answered a batch with invalid results: ${read.errors.map((e) => e.field).join(', ')}`);
      return deliveries.map(() => ({ failed }));
    }
    return read.value.map((result) => ('quote' in result ? { quote: result.quote } : { failed: result.error }));
  }
}

function quoteRequest(delivery: DeliveryEntity): FeeQuoteRequest {
  return {
    pickup: { lng: delivery.pickupLng, lat: delivery.pickupLat },
    dropoff: { lng: delivery.dropoffLng, lat: delivery.dropoffLat },
    agencyId: delivery.agencyId,
    orderId: delivery.orderId,
    deliveryId: delivery.id,
  };
}

/** Nest's answer from a service with no handler for the pattern asked. */
function unknownPattern(error: unknown): boolean {
  return typeof error === 'string' && error.includes('no matching message handler');
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
