import { Module } from '@nestjs/common';
import { ChargesConsumer } from './charges.consumer.js';
import { ChargesRepository } from './charges.repository.js';
import { ChargesService } from './charges.service.js';

/** Deliveries' charges as dispatch reports them: the quote each is settled at and the stage it reached. */
@Module({
  controllers: [ChargesConsumer],
  providers: [ChargesService, ChargesRepository],
})
export class ChargesModule {}
