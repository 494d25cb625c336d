import { Module } from '@nestjs/common';
import { AgencyLeasesRepository } from './agency-leases.repository.js';
import { AgencyLeases } from './agency-leases.service.js';

/** Which agencies this dispatch instance plans, through fenced leases in PostgreSQL (docs/clustering.md). */
@Module({
  providers: [AgencyLeasesRepository, AgencyLeases],
  exports: [AgencyLeases],
})
export class LeasesModule {}
