import { Global, Module } from '@nestjs/common';
import { AGENCY_KEYS, AgencyKeyGuard } from '#platform';
import { TariffsRepository } from '../tariffs/tariffs.repository.js';
import { AgenciesConsumer } from './agencies.consumer.js';
import { AgenciesRepository } from './agencies.repository.js';
import { AgenciesService } from './agencies.service.js';

/** The agencies fee knows, learnt from dispatch; their keys guard every `/v1/agencies/:agencyId/...` route here. */
@Global()
@Module({
  controllers: [AgenciesConsumer],
  providers: [AgenciesService, AgenciesRepository, { provide: AGENCY_KEYS, useExisting: AgenciesRepository }, AgencyKeyGuard, TariffsRepository],
  exports: [AGENCY_KEYS, AgencyKeyGuard],
})
export class AgenciesModule {}
