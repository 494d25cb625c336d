import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { Rounds } from '#platform';
import { AgencyLeases } from '../leases/agency-leases.service.js';
import { DispatchMetrics } from '../metrics/dispatch-metrics.js';
import { DeliveryPricing } from './delivery-pricing.service.js';
import { DispatchWakeup } from './dispatch-wakeup.js';
import { OfferingService } from './offering.service.js';
import { OffersService } from './offers.service.js';

/** Rounds start at least this far apart, however often they are woken. */
const ROUND_MIN_GAP_MS = 1000;

/**
 * The dispatch loop. Each planning round closes offers whose time is up, then plans the waiting deliveries and
 * makes the offers due (OfferingService.offerWaiting); a new delivery does not wait for one: it is priced at once
 * and planned with its price (DeliveryPricing, OfferingService.offerAtPrice). Pricing runs beside the rounds in its
 * own passes for retries, so a slow fee service never holds up offers. Rounds run every DISPATCH_SWEEP_INTERVAL_MS
 * and when woken (a rider online or free, a decline, a timing change). All its state is in the database, so a
 * restart simply resumes; one round runs at a time in this process, and the database's locks and unique indexes
 * guard the rest. With several instances, rounds and passes cover only the agencies this one owns (AgencyLeases):
 * the leases are taken before the first round and given up after the last.
 */
@Injectable()
export class Dispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('dispatcher');
  private readonly rounds: Rounds;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly offers: OffersService,
    private readonly offering: OfferingService,
    private readonly pricing: DeliveryPricing,
    private readonly leases: AgencyLeases,
    wakeup: DispatchWakeup,
    metrics: DispatchMetrics,
  ) {
    this.rounds = new Rounds(
      () => metrics.planningRound(() => this.sweep()),
      config.dispatch.sweepIntervalMs,
      (error) => this.logger.error(`planning round failed, retrying at the next: ${(error as Error)?.stack ?? String(error)}`),
      // Under load every delivered order wakes a round; new deliveries are planned as they are priced, without
      // one, so rounds that follow each other closer than this would only plan the same deliveries again.
      Math.min(ROUND_MIN_GAP_MS, config.dispatch.sweepIntervalMs),
    );
    wakeup.onWake(() => this.rounds.wake());
    // Agencies taken over may have deliveries waiting since their last owner stopped.
    leases.onTaken(() => this.rounds.wake());
    // A new delivery is priced at once, and offered as its price is stored, not when the next pass or sweep comes round.
    wakeup.onCreated((delivery) => this.pricing.priceNow(delivery));
    wakeup.onHandedOver((deliveryId) =>
      this.pricing.priceHandedOver(deliveryId).catch((error: unknown) => this.logger.warn(`could not take over delivery ${deliveryId}: ${(error as Error)?.message ?? String(error)}`)),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.leases.start();
    this.pricing.start();
    this.rounds.start();
  }

  /** Stops before the database and transport close, letting a running sweep and pricing pass finish, then gives up the leases. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([this.pricing.stop(), this.rounds.stop()]);
    await this.leases.stop();
  }

  private async sweep(): Promise<void> {
    await this.offers.expireDue();
    await this.offering.offerWaiting();
  }
}
