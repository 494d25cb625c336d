import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { ReconciliationService } from './reconciliation.service.js';

/** Runs a reconciliation pass every `RECONCILE_INTERVAL_MS` from bootstrap; stops, letting a pass finish, on shutdown. */
@Injectable()
export class ReconciliationJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('reconciliation');
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reconciliation: ReconciliationService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.config.fee.reconcileIntervalMs);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.reconciliation.idle();
  }

  private async tick(): Promise<void> {
    try {
      const result = await this.reconciliation.reconcileNow();
      if (result.repriced > 0 || (result.stoppedBecause && result.stoppedBecause !== 'real_routing_unavailable')) {
        this.logger.log(`pass: ${result.repriced} re-priced${result.stoppedBecause ? `, stopped: ${result.stoppedBecause}` : ''}`);
      }
    } catch (error) {
      this.logger.error(`pass failed: ${(error as Error).message}`);
    }
  }
}
