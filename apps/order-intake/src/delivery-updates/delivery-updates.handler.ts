import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { DeliveryStatusChangedEvent, PATTERNS } from '#contracts';
import { ConsumeEvent } from '#messaging';
import { DeliveryUpdatesService } from './delivery-updates.service.js';

@Controller()
export class DeliveryUpdatesHandler {
  constructor(private readonly updates: DeliveryUpdatesService) {}

  /** Replies once the change is committed, so a TCP publisher knows it may forget the event. */
  @ConsumeEvent(PATTERNS.DELIVERY_STATUS_CHANGED)
  async statusChanged(@Payload() event: DeliveryStatusChangedEvent): Promise<{ ok: true }> {
    await this.updates.apply(event);
    return { ok: true };
  }
}
