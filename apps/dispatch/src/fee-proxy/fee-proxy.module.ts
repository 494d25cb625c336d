import { Module } from '@nestjs/common';
import { FeeProxyController } from './fee-proxy.controller.js';
import { FeeProxy } from './fee-proxy.service.js';

/** The agency dashboard reaches fee through dispatch, so the browser talks to one origin. */
@Module({
  controllers: [FeeProxyController],
  providers: [FeeProxy],
})
export class FeeProxyModule {}
