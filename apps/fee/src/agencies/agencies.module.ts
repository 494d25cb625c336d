import { Global, Module } from '@nestjs/common';
import { TariffsRepository } from '../tariffs/tariffs.repository.js';
import { AgenciesConsumer } from './agencies.consumer.js';
import { AgenciesRepository } from './agencies.repository.js';
import { AgenciesService } from './agencies.service.js';
import { AgencyKeyGuard } from './agency-key.guard.js';

/** The agencies fee knows, learnt from dispatch; their keys guard every `/v1/agencies/:agencyId/...` route here. */
@Global()
@Module({
  controllers: [AgenciesConsumer],
  providers: [AgenciesService, AgenciesRepository, AgencyKeyGuard, TariffsRepository],
  exports: [AgenciesService, AgencyKeyGuard],
})
export class AgenciesModule {}
