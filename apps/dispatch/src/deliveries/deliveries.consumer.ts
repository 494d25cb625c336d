import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { OrderCreatedEvent, PATTERNS } from '#contracts';
import { ConsumeEvent } from '#messaging';
import { DeliveriesService } from './deliveries.service.js';

@Controller()
export class DeliveriesConsumer {
  constructor(private readonly deliveries: DeliveriesService) {}

  /** Replies once the delivery is committed, so the publisher's relay can mark the event sent. */
  @ConsumeEvent(PATTERNS.ORDER_CREATED)
  async orderCreated(@Payload() event: OrderCreatedEvent): Promise<{ ok: true }> {
    await this.deliveries.createFromOrder(event);
    return { ok: true };
  }
}
