import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { Rounds } from '#platform';
import { ReconciliationService } from './reconciliation.service.js';

/** Runs a reconciliation pass at bootstrap and every `RECONCILE_INTERVAL_MS` after; stops, letting a pass finish, on shutdown. */
@Injectable()
export class ReconciliationJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('reconciliation');
  private readonly rounds: Rounds;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly reconciliation: ReconciliationService,
  ) {
    this.rounds = new Rounds(() => this.pass(), config.fee.reconcileIntervalMs, (error) =>
      this.logger.error(`pass failed: ${(error as Error).message}`),
    );
  }

  onApplicationBootstrap(): void {
    this.rounds.start();
  }

  // Before any shutdown hook, so the pass still has its database connection and the map chain.
  async onModuleDestroy(): Promise<void> {
    await this.rounds.stop();
    await this.reconciliation.idle();
  }

  private async pass(): Promise<void> {
    const result = await this.reconciliation.reconcileNow();
    if (result.repriced > 0 || (result.stoppedBecause && result.stoppedBecause !== 'real_routing_unavailable')) {
      this.logger.log(`pass: ${result.repriced} re-priced${result.stoppedBecause ? `, stopped: ${result.stoppedBecause}` : ''}`);
    }
  }
}
