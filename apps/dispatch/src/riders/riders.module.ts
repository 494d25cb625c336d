import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { AgenciesModule } from '../agencies/agencies.module.js';
import { createRiderIndex, RIDER_INDEX, type RiderIndex } from '#planner';
import { RiderChannel } from './rider-channel.js';
import { RiderPositionsRepository } from './rider-positions.repository.js';
import { RiderPresenceKeeper } from './rider-presence.keeper.js';
import { RiderPresenceStore } from './rider-presence.store.js';
import { RidersController } from './riders.controller.js';
import { RidersRepository } from './riders.repository.js';
import { RidersService } from './riders.service.js';

@Module({
  imports: [AgenciesModule],
  controllers: [RidersController],
  providers: [
    { provide: RIDER_INDEX, useFactory: (config: AppConfig) => createRiderIndex(config.dispatch.riderIndex), inject: [APP_CONFIG] },
    {
      provide: RiderPresenceStore,
      useFactory: (config: AppConfig, index: RiderIndex) =>
        new RiderPresenceStore({ heartbeatTimeoutMs: config.dispatch.riderHeartbeatTimeoutMs, maxSpeedKmh: config.dispatch.riderMaxSpeedKmh }, index),
      inject: [APP_CONFIG, RIDER_INDEX],
    },
    RiderPositionsRepository,
    RiderPresenceKeeper,
    RidersRepository,
    RidersService,
    RiderChannel,
  ],
  exports: [RIDER_INDEX, RidersRepository, RidersService, RiderPresenceStore, RiderChannel],
})
export class RidersModule {}
