import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { OrderCreatedEvent, OrderTimingChangedEvent, PATTERNS } from '#contracts';
import { ConsumeEvent } from '#messaging';
import { DeliveriesService } from './deliveries.service.js';
import { DeliveryTimingService } from './delivery-timing.service.js';

@Controller()
export class DeliveriesConsumer {
  constructor(
    private readonly deliveries: DeliveriesService,
    private readonly timing: DeliveryTimingService,
  ) {}

  /** Replies once the delivery is committed, so the publisher's relay can mark the event sent. */
  @ConsumeEvent(PATTERNS.ORDER_CREATED)
  async orderCreated(@Payload() event: OrderCreatedEvent): Promise<{ ok: true }> {
    await this.deliveries.createFromOrder(event);
    return { ok: true };
  }

  /** A restaurant's "ready now" or "delayed"; replies once applied (or found applied before). */
  @ConsumeEvent(PATTERNS.ORDER_TIMING_CHANGED)
  async orderTimingChanged(@Payload() event: OrderTimingChangedEvent): Promise<{ ok: true }> {
    await this.timing.apply(event);
    return { ok: true };
  }
}
