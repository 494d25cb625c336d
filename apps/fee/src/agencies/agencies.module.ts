import { Global, Module } from '@nestjs/common';
import { AGENCY_KEYS, AgencyKeyGuard, AnyAgencyKeyGuard } from '#platform';
import { TariffsRepository } from '../tariffs/tariffs.repository.js';
import { AgenciesConsumer } from './agencies.consumer.js';
import { AgenciesRepository } from './agencies.repository.js';
import { AgenciesService } from './agencies.service.js';
import { AgencyKeysCache } from './agency-keys.cache.js';

/** The agencies fee knows, learnt from dispatch; their keys guard every `/v1/agencies/:agencyId/...` route and quotes. */
@Global()
@Module({
  controllers: [AgenciesConsumer],
  providers: [AgenciesService, AgenciesRepository, AgencyKeysCache, { provide: AGENCY_KEYS, useExisting: AgencyKeysCache }, AgencyKeyGuard, AnyAgencyKeyGuard, TariffsRepository],
  exports: [AGENCY_KEYS, AgencyKeyGuard, AnyAgencyKeyGuard],
})
export class AgenciesModule {}
