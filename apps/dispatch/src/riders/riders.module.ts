import { Module } from '@nestjs/common';
import { AgenciesModule } from '../agencies/agencies.module.js';
import { RiderChannel } from './rider-channel.js';
import { RiderPresenceStore } from './rider-presence.store.js';
import { RidersController } from './riders.controller.js';
import { RidersRepository } from './riders.repository.js';
import { RidersService } from './riders.service.js';

@Module({
  imports: [AgenciesModule],
  controllers: [RidersController],
  providers: [RidersRepository, RidersService, RiderPresenceStore, RiderChannel],
  exports: [RidersRepository, RidersService, RiderPresenceStore, RiderChannel],
})
export class RidersModule {}
