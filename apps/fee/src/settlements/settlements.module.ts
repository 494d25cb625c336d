import { Module } from '@nestjs/common';
import { SettlementsController } from './settlements.controller.js';
import { SettlementsRepository } from './settlements.repository.js';
import { SettlementsService } from './settlements.service.js';

/** Agencies' settlement reports: deliveries by restaurant or rider, and reconciliation's adjustments. */
@Module({
  controllers: [SettlementsController],
  providers: [SettlementsService, SettlementsRepository],
})
export class SettlementsModule {}
