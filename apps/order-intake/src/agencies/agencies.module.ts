import { Module } from '@nestjs/common';
import { AGENCY_KEYS, AgencyKeyGuard } from '#platform';
import { AgenciesConsumer } from './agencies.consumer.js';
import { AgenciesRepository } from './agencies.repository.js';

/** Agencies as intake knows them, learnt from dispatch: their keys open `/v1/agencies/:agencyId/...` on intake. */
@Module({
  controllers: [AgenciesConsumer],
  providers: [AgenciesRepository, { provide: AGENCY_KEYS, useExisting: AgenciesRepository }, AgencyKeyGuard],
  exports: [AGENCY_KEYS, AgencyKeyGuard],
})
export class AgenciesModule {}
