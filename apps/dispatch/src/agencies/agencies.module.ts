import { Module } from '@nestjs/common';
import { AgenciesRepository } from './agencies.repository.js';
import { AgenciesService } from './agencies.service.js';
import { AgencyKeyGuard } from './agency-key.guard.js';

@Module({
  providers: [AgenciesRepository, AgenciesService, AgencyKeyGuard],
  exports: [AgenciesService, AgencyKeyGuard],
})
export class AgenciesModule {}
