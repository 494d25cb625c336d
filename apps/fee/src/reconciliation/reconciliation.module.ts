import { Module } from '@nestjs/common';
import { TariffsModule } from '../tariffs/tariffs.module.js';
import { ReconciliationController } from './reconciliation.controller.js';
import { ReconciliationJob } from './reconciliation.job.js';
import { ReconciliationRepository } from './reconciliation.repository.js';
import { ReconciliationService } from './reconciliation.service.js';

/**
 * Re-prices estimated fees by real road routes once a provider is back, beside the quotes, never over them; and
 * tells the agency how many are still waiting.
 */
@Module({
  imports: [TariffsModule],
  controllers: [ReconciliationController],
  providers: [ReconciliationService, ReconciliationRepository, ReconciliationJob],
  exports: [ReconciliationService],
})
export class ReconciliationModule {}
