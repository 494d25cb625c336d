import { Module } from '@nestjs/common';
import { TariffsModule } from '../tariffs/tariffs.module.js';
import { ReconciliationJob } from './reconciliation.job.js';
import { ReconciliationRepository } from './reconciliation.repository.js';
import { ReconciliationService } from './reconciliation.service.js';

/** Re-prices estimated fees by real road routes once a provider is back, beside the quotes, never over them. */
@Module({
  imports: [TariffsModule],
  providers: [ReconciliationService, ReconciliationRepository, ReconciliationJob],
  exports: [ReconciliationService],
})
export class ReconciliationModule {}
