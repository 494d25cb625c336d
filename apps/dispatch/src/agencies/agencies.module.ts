import { Module } from '@nestjs/common';
import { AGENCY_KEYS, AgencyKeyGuard } from '#platform';
import { AgenciesRepository } from './agencies.repository.js';
import { DispatchSettingsController } from './dispatch-settings.controller.js';
import { DispatchSettingsService } from './dispatch-settings.service.js';

/** Dispatch's agencies: their keys guard every `/v1/agencies/:agencyId/...` route here, and their dispatch settings. */
@Module({
  controllers: [DispatchSettingsController],
  providers: [AgenciesRepository, { provide: AGENCY_KEYS, useExisting: AgenciesRepository }, AgencyKeyGuard, DispatchSettingsService],
  exports: [AGENCY_KEYS, AgencyKeyGuard, DispatchSettingsService, AgenciesRepository],
})
export class AgenciesModule {}
