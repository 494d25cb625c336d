import { Module } from '@nestjs/common';
import { AgenciesModule } from '../agencies/agencies.module.js';
import { DeliveriesModule } from '../deliveries/deliveries.module.js';
import { RidersModule } from '../riders/riders.module.js';
import { RiderAdminController } from './rider-admin.controller.js';
import { RiderAdmin } from './rider-admin.service.js';

/** The agency's management of its riders; above riders and deliveries, which it uses. */
@Module({
  imports: [AgenciesModule, RidersModule, DeliveriesModule],
  controllers: [RiderAdminController],
  providers: [RiderAdmin],
})
export class RiderAdminModule {}
