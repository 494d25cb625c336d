import type { INestApplication } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { lastValueFrom } from 'rxjs';
import request from 'supertest';
import { PATTERNS, type DeliveryEventStatus, type DeliveryStatusChangedEvent } from '#contracts';
import { queryRows } from '../../../../../test/support/database.js';
import type { ProvisionedRestaurant } from '../../restaurants/restaurants.provisioning.js';
import { webhookHeaders } from '../../webhooks/webhook-signature.js';

/** What the callback specs send and look for in the queue, shared by them. */
export const DROPOFF_ADDRESS = '서울 종로구 세종대로 172';
export const PHONE = '010-1234-5678';

export interface CallbackRow {
  id: string;
  webhook_id: string;
  status: string;
  state: string;
  attempts: number;
  last_attempt_at: Date | null;
  next_attempt_at: Date | null;
  last_response_status: number | null;
  last_error: string | null;
}

/** A signed order from `restaurant`, accepted (202). */
export async function sendOrder(app: INestApplication, restaurant: ProvisionedRestaurant): Promise<{ orderId: string; externalOrderId: string }> {
  const externalOrderId = `pos-${randomUUID()}`;
  const body = JSON.stringify({
    externalOrderId,
    dropoff: { address: DROPOFF_ADDRESS, lng: 126.9769, lat: 37.5759, detail: '3층 302호' },
    customer: { phone: PHONE },
    items: [{ name: '칼국수', quantity: 1, unitPrice: 9000 }],
    orderAmount: 9000,
  });
  const response = await request(app.getHttpServer())
    .post(`/v1/restaurants/${restaurant.restaurantId}/orders`)
    .set('content-type', 'application/json')
    .set(webhookHeaders(restaurant.webhookSecret, body))
    .send(body)
    .expect(202);
  return { orderId: response.body.orderId, externalOrderId };
}

/** Dispatch's word that an order's delivery changed status, as order-intake consumes it. */
export async function publishStatus(
  client: ClientProxy,
  orderId: string,
  status: DeliveryEventStatus,
  extra: Partial<DeliveryStatusChangedEvent> = {},
): Promise<DeliveryStatusChangedEvent> {
  const event: DeliveryStatusChangedEvent = { eventId: randomUUID(), occurredAt: new Date().toISOString(), orderId, deliveryId: randomUUID(), status, ...extra };
  await lastValueFrom(client.send(PATTERNS.DELIVERY_STATUS_CHANGED, event));
  return event;
}

/** The order's queued callbacks, oldest first. */
export function callbackRows(databaseUrl: string, orderId: string): Promise<CallbackRow[]> {
  return queryRows<CallbackRow>(
    databaseUrl,
    `SELECT id, webhook_id, status, state, attempts, last_attempt_at, next_attempt_at, last_response_status, last_error
       FROM intake.status_callbacks WHERE order_id = $1 ORDER BY seq`,
    [orderId],
  );
}

/** PUT the restaurant's callback URL. */
export function putCallbackUrl(app: INestApplication, restaurant: ProvisionedRestaurant, url: unknown) {
  return request(app.getHttpServer())
    .put(`/v1/restaurants/${restaurant.restaurantId}/callback`)
    .set('authorization', `Bearer ${restaurant.apiKey}`)
    .send(JSON.stringify({ url }));
}
