import type { ClientProxy } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { lastValueFrom } from 'rxjs';
import { PATTERNS, type DeliveryChargeEvent } from '#contracts';

/** The delivery a test reports on: ids fixed once, so every event names the same delivery. */
export interface TestDelivery {
  deliveryId: string;
  orderId: string;
  agencyId: string;
  restaurantId: string;
  quoteId: string;
}

export function testDelivery(agencyId: string, quoteId: string, ids: Partial<TestDelivery> = {}): TestDelivery {
  return { deliveryId: randomUUID(), orderId: randomUUID(), restaurantId: randomUUID(), agencyId, quoteId, ...ids };
}

/** Sends `delivery.charge` the way dispatch does and waits for fee's `{ ok: true }`. */
export function sendCharge(
  client: ClientProxy,
  delivery: TestDelivery,
  stage: DeliveryChargeEvent['stage'],
  at: string | Date,
  extra: { riderId?: string; quoteId?: string } = {},
): Promise<unknown> {
  const event: DeliveryChargeEvent = {
    eventId: randomUUID(),
    occurredAt: new Date().toISOString(),
    ...delivery,
    ...extra,
    stage,
    at: typeof at === 'string' ? at : at.toISOString(),
  };
  return lastValueFrom(client.send(PATTERNS.DELIVERY_CHARGE, event));
}
