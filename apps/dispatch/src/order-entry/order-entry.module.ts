import { Module } from '@nestjs/common';
import { AgenciesModule } from '../agencies/agencies.module.js';
import { OrderEntryController } from './order-entry.controller.js';
import { OrderEntryService } from './order-entry.service.js';

/** The dashboard's phone orders: to order-intake over the message transport, with the geocoding the form uses. */
@Module({
  imports: [AgenciesModule],
  controllers: [OrderEntryController],
  providers: [OrderEntryService],
})
export class OrderEntryModule {}
