import { Module } from '@nestjs/common';
import { LocatingRepository } from './locating.repository.js';
import { Locator } from './locator.service.js';

/** Address-only orders: placed through fee's map chain, retried until they are, then sent on as `order.created`. */
@Module({
  providers: [Locator, LocatingRepository],
  exports: [Locator],
})
export class LocatingModule {}
