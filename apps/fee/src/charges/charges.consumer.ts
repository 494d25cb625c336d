import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { DeliveryChargeEvent, PATTERNS } from '#contracts';
import { ConsumeEvent } from '#messaging';
import { ChargesService } from './charges.service.js';

@Controller()
export class ChargesConsumer {
  constructor(private readonly charges: ChargesService) {}

  /** Replies once the charge is committed. */
  @ConsumeEvent(PATTERNS.DELIVERY_CHARGE)
  async charge(@Payload() event: DeliveryChargeEvent): Promise<{ ok: true }> {
    await this.charges.record(event);
    return { ok: true };
  }
}
