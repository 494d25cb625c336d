import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { DeliveryPricing } from '../deliveries/delivery-pricing.service.js';
import { DispatchWakeup } from './dispatch-wakeup.js';
import { OffersService } from './offers.service.js';

/**
 * The dispatch loop. Each sweep starts pricing new deliveries (in the background, so a slow fee service
 * never holds up offers), closes offers whose time is up, and offers waiting deliveries to riders. It runs
 * every sweep interval and at once when woken. All its state is in the database, so a restart simply
 * resumes; one sweep runs at a time in this process, and the database's locks and unique indexes guard the rest.
 */
@Injectable()
export class Dispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('dispatcher');
  private timer?: NodeJS.Timeout;
  private running = false;
  private again = false;
  private stopped = true;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly offers: OffersService,
    private readonly pricing: DeliveryPricing,
    wakeup: DispatchWakeup,
  ) {
    wakeup.onWake(() => this.wake());
    // A new delivery is priced at once, not when the next sweep starts.
    wakeup.onCreated(() => {
      if (!this.stopped) this.pricing.kick();
    });
  }

  onApplicationBootstrap(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops before the database and transport close, letting a running sweep and pricing pass finish. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.pricing.stop();
    while (this.running) await new Promise((resolve) => setTimeout(resolve, 10));
    await this.pricing.idle();
  }

  /** Sweeps as soon as possible; a wake during a sweep runs another right after it. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.sweep(), delayMs);
  }

  private async sweep(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    this.again = false;
    try {
      this.pricing.kick();
      await this.offers.expireDue();
      await this.offers.offerWaiting();
    } catch (error) {
      if (!this.stopped) this.logger.error(`sweep failed, retrying at the next: ${(error as Error)?.stack ?? String(error)}`);
    } finally {
      this.running = false;
    }
    this.schedule(this.again ? 0 : this.config.dispatch.sweepIntervalMs);
  }
}
