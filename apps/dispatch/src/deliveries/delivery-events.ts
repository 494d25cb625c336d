import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { PATTERNS, type DeliveryEventStatus, type DeliveryStatusChangedEvent } from '#contracts';
import { EventOutbox } from '#messaging';
import type { DeliveryEntity } from './delivery.entity.js';

type StatusPayload = Omit<DeliveryStatusChangedEvent, 'eventId' | 'occurredAt'>;

/**
 * The `delivery.status-changed` events the restaurant's side sees. `record` writes one inside the caller's
 * transaction, so it leaves only if the state change commits; `flush` after the commit sends it at once.
 */
@Injectable()
export class DeliveryEvents {
  constructor(private readonly outbox: EventOutbox) {}

  async record(manager: EntityManager, delivery: DeliveryEntity, status: DeliveryEventStatus, rider?: { id: string; name: string }): Promise<void> {
    const payload: StatusPayload = { orderId: delivery.orderId, deliveryId: delivery.id, status };
    if (status === 'quoted' && delivery.fee) {
      const { total, distanceMeters, provider, estimated } = delivery.fee;
      payload.fee = { total, currency: 'KRW', distanceMeters, provider, estimated };
    }
    if (rider) payload.rider = { id: rider.id, name: rider.name };
    await this.outbox.add(manager, PATTERNS.DELIVERY_STATUS_CHANGED, payload);
  }

  flush(): void {
    this.outbox.poke();
  }
}
