import { Module } from '@nestjs/common';
import { AgenciesModule } from '../agencies/agencies.module.js';
import { RidersModule } from '../riders/riders.module.js';
import { AgencyCredentialsController } from './credentials.controller.js';
import { AgencyCredentials } from './credentials.service.js';

/** Rotating the agency's API key and its riders' tokens with an overlap window. */
@Module({
  imports: [AgenciesModule, RidersModule],
  controllers: [AgencyCredentialsController],
  providers: [AgencyCredentials],
})
export class CredentialsModule {}
