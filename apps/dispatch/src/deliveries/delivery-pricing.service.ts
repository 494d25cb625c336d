import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { FeeQuote, PATTERNS, validateContract, type FeeQuoteRequest } from '#contracts';
import { Messaging } from '#messaging';
import { DispatchWakeup } from '../offers/dispatch-wakeup.js';
import { DeliveriesService } from './deliveries.service.js';
import type { DeliveryEntity } from './delivery.entity.js';

/** How long one `fee.quote` may take; the fee service answers in milliseconds when it is up. */
const FEE_TIMEOUT_MS = 5_000;
const BATCH = 20;

/**
 * Prices new deliveries through the fee service. When fee does not answer, the delivery waits and is tried
 * again later, with a delay that doubles per failed attempt (one sweep interval up to 32), so an outage costs
 * a request now and then rather than a hot loop, and no delivery is ever dropped.
 */
@Injectable()
export class DeliveryPricing {
  private readonly logger = new Logger('pricing');
  private inFlight?: Promise<void>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly messaging: Messaging,
    private readonly deliveries: DeliveriesService,
    private readonly wakeup: DispatchWakeup,
  ) {}

  /** Starts a pricing pass unless one is running. Never waits for the fee service, so offers keep moving. */
  kick(): void {
    this.inFlight ??= this.priceDue()
      .then(() => undefined)
      .catch((error: unknown) => this.logger.error(`pricing pass failed: ${(error as Error)?.message ?? String(error)}`))
      .finally(() => (this.inFlight = undefined));
  }

  /** Resolves when no pricing pass is running (for shutdown). */
  async idle(): Promise<void> {
    await this.inFlight;
  }

  /** Prices the deliveries that are due; returns how many were priced. */
  async priceDue(): Promise<number> {
    const due = await this.deliveries.dueForPricing(BATCH);
    const priced = (await Promise.all(due.map((delivery) => this.price(delivery)))).filter(Boolean).length;
    if (priced > 0) this.wakeup.wake();
    return priced;
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
      const delay = this.backoffMs(delivery.quoteAttempts);
      this.logger.warn(
        `no price for delivery ${delivery.id} (order ${delivery.orderId}, attempt ${delivery.quoteAttempts + 1}): ${describe(error)}; ` +
          `it waits, next try in ${delay} ms`,
      );
      await this.deliveries.postponePricing(delivery.id, delay);
      return false;
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (error && typeof error === 'object' && 'code' in error) return `${String((error as { code: unknown }).code)}: ${String((error as { message?: unknown }).message ?? '')}`;
  return String(error);
}
