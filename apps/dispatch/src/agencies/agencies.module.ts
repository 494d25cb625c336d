import { Module } from '@nestjs/common';
import { AGENCY_KEYS, AgencyKeyGuard } from '#platform';
import { AgenciesRepository } from './agencies.repository.js';

/** Dispatch's agencies: their keys guard every `/v1/agencies/:agencyId/...` route here. */
@Module({
  providers: [AgenciesRepository, { provide: AGENCY_KEYS, useExisting: AgenciesRepository }, AgencyKeyGuard],
  exports: [AGENCY_KEYS, AgencyKeyGuard],
})
export class AgenciesModule {}
