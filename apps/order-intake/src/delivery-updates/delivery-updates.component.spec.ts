import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { ClientProxyFactory, type ClientProxy } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { lastValueFrom } from 'rxjs';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { AppConfig } from '#config';
import { PATTERNS, type DeliveryEventStatus, type DeliveryStatusChangedEvent } from '#contracts';
import { clientOptions } from '#messaging';
import { startService } from '#platform';
import { createTestDatabase, queryRows } from '../../../../test/support/database.js';
import { testConfig } from '../../../../test/support/config.js';
import { IntakeModule } from '../intake.module.js';
import { provisionRestaurant, type ProvisionedRestaurant } from '../restaurants/restaurants.provisioning.js';
import { webhookHeaders } from '../webhooks/webhook-signature.js';

const FEE = { total: 4500, currency: 'KRW' as const, distanceMeters: 2710, provider: 'turf', estimated: true };
const RIDER = { id: randomUUID(), name: '김배달' };

describe('delivery status from dispatch (component, real PostgreSQL, TCP)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let config: AppConfig;
  let app: INestApplication;
  let client: ClientProxy;
  let restaurant: ProvisionedRestaurant;

  const deliveryId = randomUUID();

  function event(orderId: string, status: DeliveryEventStatus, occurredAt: Date, extra: Partial<DeliveryStatusChangedEvent> = {}): DeliveryStatusChangedEvent {
    return { eventId: randomUUID(), occurredAt: occurredAt.toISOString(), orderId, deliveryId, status, ...extra };
  }

  const publish = (payload: unknown) => lastValueFrom(client.send(PATTERNS.DELIVERY_STATUS_CHANGED, payload));

  async function newOrder(): Promise<string> {
    const body = JSON.stringify({
      externalOrderId: `pos-${randomUUID()}`,
      dropoff: { address: '서울 종로구 세종대로 172', lng: 126.9769, lat: 37.5759 },
      items: [{ name: '칼국수', quantity: 1, unitPrice: 9000 }],
      orderAmount: 9000,
    });
    const response = await request(app.getHttpServer())
      .post(`/v1/restaurants/${restaurant.restaurantId}/orders`)
      .set('content-type', 'application/json')
      .set(webhookHeaders(restaurant.webhookSecret, body))
      .send(body)
      .expect(202);
    return response.body.orderId;
  }

  async function read(orderId: string) {
    const response = await request(app.getHttpServer())
      .get(`/v1/restaurants/${restaurant.restaurantId}/orders/${orderId}`)
      .set('authorization', `Bearer ${restaurant.apiKey}`)
      .expect(200);
    return response.body;
  }

  const start = Date.now();
  const at = (secondsAfterStart: number) => new Date(start + secondsAfterStart * 1000);

  beforeAll(async () => {
    db = await createTestDatabase();
    config = await testConfig();
    app = await startService({ service: 'intake', module: IntakeModule.forRoot(config, db.url), config, bodyParser: false });
    client = ClientProxyFactory.create(clientOptions(config, 'intake'));
    restaurant = await provisionRestaurant(app.get(DataSource), {
      agencyId: randomUUID(),
      name: '을지로 칼국수',
      address: '서울 중구 을지로 100',
      lng: 126.9882,
      lat: 37.5662,
    });
  });

  afterAll(async () => {
    await client?.close();
    await app?.close();
    await db?.drop();
  });

  it('shows the restaurant each status with its time, the fee once quoted and the rider once assigned', async () => {
    const orderId = await newOrder();
    expect(await publish(event(orderId, 'quoted', at(10), { fee: FEE }))).toEqual({ ok: true });
    expect(await read(orderId)).toMatchObject({ status: 'quoted', fee: FEE, rider: null });

    await publish(event(orderId, 'assigned', at(20), { rider: RIDER }));
    expect(await read(orderId)).toMatchObject({ status: 'assigned', fee: FEE, rider: RIDER });

    await publish(event(orderId, 'picked_up', at(600)));
    await publish(event(orderId, 'delivered', at(1500)));
    const order = await read(orderId);
    expect(order).toMatchObject({ status: 'delivered', fee: FEE, rider: RIDER });
    expect(order.statusHistory).toEqual([
      { status: 'received', at: order.createdAt },
      { status: 'quoted', at: at(10).toISOString() },
      { status: 'assigned', at: at(20).toISOString() },
      { status: 'picked_up', at: at(600).toISOString() },
      { status: 'delivered', at: at(1500).toISOString() },
    ]);
  });

  it('changes nothing when the same event arrives twice', async () => {
    const orderId = await newOrder();
    const quoted = event(orderId, 'quoted', at(10), { fee: FEE });
    await publish(quoted);
    const first = await read(orderId);
    // Same event id, even if the payload were to differ: it was handled.
    expect(await publish({ ...quoted, fee: { ...FEE, total: 99_000 } })).toEqual({ ok: true });
    expect(await read(orderId)).toEqual(first);
    expect(await queryRows(db.url, 'SELECT count(*)::int AS n FROM intake.inbox WHERE event_id = $1', [quoted.eventId])).toEqual([{ n: 1 }]);
  });

  it('does not move an order back when an older status arrives after a newer one, but keeps it in the history', async () => {
    const orderId = await newOrder();
    await publish(event(orderId, 'picked_up', at(600), { rider: RIDER }));
    const late = event(orderId, 'assigned', at(20), { rider: { id: randomUUID(), name: '늦은 기사' } });
    expect(await publish(late)).toEqual({ ok: true });
    const order = await read(orderId);
    expect(order.status).toBe('picked_up');
    expect(order.rider).toEqual(RIDER);
    expect(order.statusHistory).toEqual([
      expect.objectContaining({ status: 'received' }),
      { status: 'assigned', at: at(20).toISOString() },
      { status: 'picked_up', at: at(600).toISOString() },
    ]);
    // Recorded as handled all the same, so a redelivery is not reconsidered.
    expect(await queryRows(db.url, 'SELECT count(*)::int AS n FROM intake.inbox WHERE event_id = $1', [late.eventId])).toEqual([{ n: 1 }]);
  });

  it('keeps a fee quoted before an assignment that overtook it', async () => {
    const orderId = await newOrder();
    await publish(event(orderId, 'assigned', at(20), { rider: RIDER }));
    await publish(event(orderId, 'quoted', at(10), { fee: FEE }));
    expect(await read(orderId)).toMatchObject({ status: 'assigned', fee: FEE, rider: RIDER });
  });

  it('cancels from any state but delivered, and nothing follows a cancellation', async () => {
    const cancelled = await newOrder();
    await publish(event(cancelled, 'assigned', at(20), { rider: RIDER }));
    await publish(event(cancelled, 'cancelled', at(30)));
    await publish(event(cancelled, 'picked_up', at(40)));
    expect((await read(cancelled)).status).toBe('cancelled');

    const delivered = await newOrder();
    await publish(event(delivered, 'delivered', at(1500)));
    await publish(event(delivered, 'cancelled', at(1600)));
    expect((await read(delivered)).status).toBe('delivered');
  });

  it('ends the order in failed when its delivery fails, whatever arrives after', async () => {
    const orderId = await newOrder();
    await publish(event(orderId, 'picked_up', at(600), { rider: RIDER }));
    expect(await publish(event(orderId, 'failed', at(900), { reason: '고객 연락 두절' }))).toEqual({ ok: true });
    // The assignment's event overtaken by the failure, and a cancel that came too late.
    await publish(event(orderId, 'assigned', at(20), { rider: RIDER }));
    await publish(event(orderId, 'cancelled', at(1000)));
    const order = await read(orderId);
    expect(order).toMatchObject({ status: 'failed', rider: RIDER });
    expect(order.statusHistory).toEqual([
      expect.objectContaining({ status: 'received' }),
      { status: 'assigned', at: at(20).toISOString() },
      { status: 'picked_up', at: at(600).toISOString() },
      { status: 'failed', at: at(900).toISOString() },
    ]);
  });

  it('fails an event for an unknown order and leaves it unclaimed for a retry', async () => {
    const unknown = event(randomUUID(), 'quoted', at(10), { fee: FEE });
    await expect(publish(unknown)).rejects.toMatchObject({ code: 'ORDER_NOT_FOUND' });
    expect(await queryRows(db.url, 'SELECT count(*)::int AS n FROM intake.inbox WHERE event_id = $1', [unknown.eventId])).toEqual([{ n: 0 }]);
  });

  it('rejects an invalid payload with VALIDATION_FAILED naming the fields, and records nothing', async () => {
    const orderId = await newOrder();
    const before = await read(orderId);
    const inbox = await queryRows(db.url, 'SELECT count(*)::int AS n FROM intake.inbox');
    await expect(publish({ eventId: 'nope', occurredAt: at(10).toISOString(), orderId, deliveryId, status: 'teleported' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: expect.arrayContaining([expect.objectContaining({ field: 'eventId' }), expect.objectContaining({ field: 'status', value: 'teleported' })]),
    });
    expect(await read(orderId)).toEqual(before);
    expect(await queryRows(db.url, 'SELECT count(*)::int AS n FROM intake.inbox')).toEqual(inbox);
  });
});
