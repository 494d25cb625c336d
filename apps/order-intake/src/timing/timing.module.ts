import { Module } from '@nestjs/common';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { TimingController } from './timing.controller.js';
import { TimingRepository } from './timing.repository.js';
import { TimingService } from './timing.service.js';

/** When an order's food is ready, as its restaurant says after sending it: "ready now", "delayed". */
@Module({
  imports: [WebhooksModule],
  controllers: [TimingController],
  providers: [TimingService, TimingRepository],
})
export class TimingModule {}
