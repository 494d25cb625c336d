import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { ClientProxyFactory, type ClientProxy } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { AppConfig } from '#config';
import type { DeliveryEventStatus, DeliveryStatusChangedEvent } from '#contracts';
import { clientOptions } from '#messaging';
import { startService } from '#platform';
import { createTestDatabase, queryRows } from '../../../../test/support/database.js';
import { eventually } from '../../../../test/support/eventually.js';
import { testConfig } from '../../../../test/support/config.js';
import { DeliveryUpdatesRepository } from '../delivery-updates/delivery-updates.repository.js';
import { IntakeModule } from '../intake.module.js';
import { provisionRestaurant, type ProvisionedRestaurant } from '../restaurants/restaurants.provisioning.js';
import { CallbacksService } from './callbacks.service.js';
import { startCallbackReceiver, type CallbackReceiver, type ReceivedCallback } from './testing/callback-receiver.js';
import { callbackRows, DROPOFF_ADDRESS, PHONE, publishStatus, sendOrder, putCallbackUrl, type CallbackRow } from './testing/callback-test-kit.js';

const FEE = { total: 4500, currency: 'KRW' as const, distanceMeters: 2710, provider: 'turf', estimated: true };
const RIDER = { id: randomUUID(), name: '김배달' };

/** Short waits, so retries and giving up happen within a test; the defaults are 5 s, 30 min, 5 s and 24 h. */
const BASE_MS = 50;
const CALLBACK_ENV = {
  CALLBACK_BACKOFF_BASE_MS: String(BASE_MS),
  CALLBACK_BACKOFF_CAP_MS: '400',
  // Long enough for the test's receiver, which reads the database before answering, on a busy machine.
  CALLBACK_TIMEOUT_MS: '1500',
  CALLBACK_POLL_INTERVAL_MS: '20',
  CALLBACK_MAX_AGE_HOURS: '0.001', // 3.6 s
  // The receiver listens on loopback, which callbacks may reach only with this test-only setting.
  CALLBACK_ALLOW_PRIVATE_NETWORKS: 'true',
};

describe('restaurant status callbacks (component, real PostgreSQL, local HTTP receiver)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let config: AppConfig;
  let app: INestApplication;
  let client: ClientProxy;
  const receivers: CallbackReceiver[] = [];
  const agencyId = randomUUID();

  const publish = (orderId: string, status: DeliveryEventStatus, extra: Partial<DeliveryStatusChangedEvent> = {}) => publishStatus(client, orderId, status, extra);
  const newOrder = (restaurant: ProvisionedRestaurant) => sendOrder(app, restaurant);
  const callbacksOf = (orderId: string) => callbackRows(db.url, orderId);

  /** A restaurant whose callbacks go to its own receiver (or nowhere, with `callbacks: false`). */
  async function restaurantWithReceiver(options: { callbacks?: boolean } = {}): Promise<{ restaurant: ProvisionedRestaurant; receiver: CallbackReceiver }> {
    const dataSource = app.get(DataSource);
    const provisional = await provisionRestaurant(dataSource, { agencyId, name: '을지로 칼국수', address: '서울 중구 을지로 100', lng: 126.9882, lat: 37.5662 });
    const receiver = await startCallbackReceiver(provisional.webhookSecret);
    receivers.push(receiver);
    if (options.callbacks !== false) {
      await putCallbackUrl(app, provisional, receiver.url).expect(200, { url: receiver.url });
    }
    return { restaurant: provisional, receiver };
  }

  /** Waits until the order has `count` callbacks and all are in `state`. */
  const settled = (orderId: string, count: number, state = 'delivered') =>
    eventually(async () => {
      const rows = await callbacksOf(orderId);
      return rows.length === count && rows.every((r) => r.state === state) ? rows : undefined;
    }, `${count} ${state} callbacks of order ${orderId}`);

  const view = (restaurant: ProvisionedRestaurant, query = '') =>
    request(app.getHttpServer())
      .get(`/v1/restaurants/${restaurant.restaurantId}/callbacks${query}`)
      .set('authorization', `Bearer ${restaurant.apiKey}`);

  const waitMs = (row: Pick<CallbackRow, 'last_attempt_at' | 'next_attempt_at'>) => row.next_attempt_at!.getTime() - row.last_attempt_at!.getTime();

  beforeAll(async () => {
    db = await createTestDatabase();
    config = await testConfig(CALLBACK_ENV);
    app = await startService({ service: 'intake', module: IntakeModule.forRoot(config, db.url), config, bodyParser: false });
    client = ClientProxyFactory.create(clientOptions(config, 'intake'));
  });

  afterAll(async () => {
    await client?.close();
    await app?.close();
    await Promise.all(receivers.map((r) => r.close()));
    await db?.drop();
  });

  it('sends one signed callback per status change, once each, with the fee and rider and nothing about the customer', async () => {
    const { restaurant, receiver } = await restaurantWithReceiver();
    const { orderId, externalOrderId } = await newOrder(restaurant);
    const quoted = await publish(orderId, 'quoted', { fee: FEE });
    const assigned = await publish(orderId, 'assigned', { rider: RIDER });
    const rows = await settled(orderId, 2);

    expect(receiver.received.map((r) => r.json)).toEqual([
      { type: 'order.status_changed', orderId, externalOrderId, status: 'quoted', previousStatus: 'received', at: quoted.occurredAt, fee: FEE },
      { type: 'order.status_changed', orderId, externalOrderId, status: 'assigned', previousStatus: 'quoted', at: assigned.occurredAt, fee: FEE, rider: RIDER },
    ]);
    for (const [i, callback] of receiver.received.entries()) {
      expect(callback).toMatchObject({ verified: true, contentType: 'application/json', webhookId: rows[i].webhook_id });
      expect(callback.webhookId).toMatch(/^msg_[0-9a-f]{32}$/);
      expect(Math.abs(Number(callback.timestamp) - Date.now() / 1000)).toBeLessThan(300);
      expect(callback.body).not.toContain(PHONE);
      expect(callback.body).not.toContain(DROPOFF_ADDRESS);
    }
    expect(rows.map((r) => [r.status, r.attempts, r.last_response_status, r.next_attempt_at])).toEqual([
      ['quoted', 1, 204, null],
      ['assigned', 1, 204, null],
    ]);

    // A later change is sent on its own; the earlier ones are not sent again.
    await publish(orderId, 'picked_up');
    await settled(orderId, 3);
    expect(receiver.received.map((r) => r.json.status)).toEqual(['quoted', 'assigned', 'picked_up']);
    expect(new Set(receiver.received.map((r) => r.webhookId)).size).toBe(3);

    const { body } = await view(restaurant, '?state=delivered').expect(200);
    expect(body.callbacks.map((c: { status: string }) => c.status)).toEqual(['picked_up', 'assigned', 'quoted']);
    expect(body.callbacks[2]).toMatchObject({
      callbackId: rows[0].id,
      webhookId: rows[0].webhook_id,
      orderId,
      state: 'delivered',
      attempts: 1,
      lastResponseStatus: 204,
      lastError: null,
      nextAttemptAt: null,
      deliveredAt: expect.any(String),
      body: receiver.received[0].json,
    });
  });

  it('tells the restaurant why a delivery failed', async () => {
    const { restaurant, receiver } = await restaurantWithReceiver();
    const { orderId } = await newOrder(restaurant);
    await publish(orderId, 'assigned', { rider: RIDER });
    await publish(orderId, 'failed', { reason: '고객 연락 두절' });
    await settled(orderId, 2);
    expect(receiver.received.map((r) => r.json)).toEqual([
      expect.not.objectContaining({ reason: expect.anything() }),
      expect.objectContaining({ status: 'failed', previousStatus: 'assigned', reason: '고객 연락 두절', rider: RIDER }),
    ]);
  });

  it('retries a failing server with growing waits under the same webhook-id, each try signed afresh, until it answers 2xx', async () => {
    const { restaurant, receiver } = await restaurantWithReceiver();
    const { orderId } = await newOrder(restaurant);
    const seenBefore: CallbackRow[] = [];
    receiver.respond = async () => {
      // What the queue said about the previous try, read while this one is in flight.
      if (receiver.received.length > 0) seenBefore.push((await callbacksOf(orderId))[0]);
      return receiver.received.length < 3 ? { status: 500, body: 'boom' } : { status: 200 };
    };
    await publish(orderId, 'quoted', { fee: FEE });
    const [row] = await settled(orderId, 1);

    expect(receiver.received.map((r) => r.answer)).toEqual([500, 500, 500, 200]);
    expect(receiver.received.every((r) => r.verified && r.webhookId === row.webhook_id)).toBe(true);
    expect(row).toMatchObject({ attempts: 4, last_response_status: 200, last_error: null });

    expect(seenBefore.map((r) => [r.state, r.attempts, r.last_response_status, r.last_error])).toEqual([
      ['pending', 1, 500, 'HTTP 500 Internal Server Error'],
      ['pending', 2, 500, 'HTTP 500 Internal Server Error'],
      ['pending', 3, 500, 'HTTP 500 Internal Server Error'],
    ]);
    // The wait after the n-th failure: the base doubled n-1 times, shortened by at most a fifth.
    const waits = seenBefore.map(waitMs);
    waits.forEach((wait, i) => {
      expect(wait).toBeGreaterThanOrEqual(0.8 * BASE_MS * 2 ** i - 1);
      expect(wait).toBeLessThanOrEqual(BASE_MS * 2 ** i + 1);
    });
    expect(waits[1]).toBeGreaterThan(waits[0]);
    expect(waits[2]).toBeGreaterThan(waits[1]);
  });

  it('gives up on a server that does not answer within the timeout, and tries again', async () => {
    const { restaurant, receiver } = await restaurantWithReceiver();
    const { orderId } = await newOrder(restaurant);
    let seenBefore: CallbackRow | undefined;
    receiver.respond = async () => {
      if (receiver.received.length === 0) return 'hang';
      seenBefore = (await callbacksOf(orderId))[0];
      return { status: 202 };
    };
    await publish(orderId, 'quoted', { fee: FEE });
    const [row] = await settled(orderId, 1);
    expect(receiver.received.map((r) => r.answer)).toEqual(['hang', 202]);
    expect(seenBefore).toMatchObject({ state: 'pending', attempts: 1, last_response_status: null, last_error: 'no answer within 1500 ms' });
    expect(row).toMatchObject({ attempts: 2, last_response_status: 202 });
  });

  it('waits as long as a 429 or 503 asks in Retry-After', async () => {
    const { restaurant, receiver } = await restaurantWithReceiver();
    const { orderId } = await newOrder(restaurant);
    let seenBefore: CallbackRow | undefined;
    receiver.respond = async () => {
      if (receiver.received.length === 0) return { status: 429, headers: { 'retry-after': '1' } };
      seenBefore = (await callbacksOf(orderId))[0];
      return { status: 200 };
    };
    await publish(orderId, 'quoted', { fee: FEE });
    await settled(orderId, 1);
    expect(seenBefore).toMatchObject({ attempts: 1, last_response_status: 429, last_error: 'HTTP 429 Too Many Requests' });
    // The backoff alone would have waited at most 50 ms.
    expect(waitMs(seenBefore!)).toBeGreaterThanOrEqual(1000);
  });

  it("sends one order's callbacks in order, holding later ones while an earlier one fails, without holding other orders", async () => {
    const { restaurant, receiver } = await restaurantWithReceiver();
    const slow = await newOrder(restaurant);
    const other = await newOrder(restaurant);
    let otherArrived = false;
    receiver.respond = (callback) => {
      if (callback.json.orderId === other.orderId) {
        otherArrived = true;
        return { status: 204 };
      }
      // The slow order's first callback fails until the other order's has arrived: it must not wait behind it.
      return callback.json.status === 'quoted' && !otherArrived ? { status: 503 } : { status: 204 };
    };
    await publish(slow.orderId, 'quoted', { fee: FEE });
    await publish(slow.orderId, 'assigned', { rider: RIDER });
    await publish(slow.orderId, 'picked_up');
    await eventually(() => (receiver.received.some((r) => r.answer === 503) ? true : undefined), 'a failed first callback');
    await publish(other.orderId, 'quoted', { fee: FEE });

    await settled(slow.orderId, 3);
    await settled(other.orderId, 1);
    const slowOnes = receiver.received.filter((r) => r.json.orderId === slow.orderId);
    const firstDelivered = slowOnes.findIndex((r) => r.answer === 204);
    expect(slowOnes.slice(0, firstDelivered).every((r) => r.json.status === 'quoted')).toBe(true);
    expect(slowOnes.slice(firstDelivered).map((r) => [r.json.status, r.answer])).toEqual([
      ['quoted', 204],
      ['assigned', 204],
      ['picked_up', 204],
    ]);
  });

  it('makes a callback undeliverable once it is too old, shows it, and delivers it when the restaurant retries it', async () => {
    const { restaurant, receiver } = await restaurantWithReceiver();
    const { orderId } = await newOrder(restaurant);
    let down = true;
    // The body is what an internal service would answer: the restaurant is told the status, never the body.
    receiver.respond = () => (down ? { status: 500, body: '{"error":"maintenance","secret":"s3cr3t-internal"}' } : { status: 204 });
    await publish(orderId, 'quoted', { fee: FEE });
    const [row] = await eventually(async () => {
      const rows = await callbacksOf(orderId);
      return rows[0]?.state === 'undeliverable' ? rows : undefined;
    }, 'an undeliverable callback');
    expect(row.attempts).toBeGreaterThanOrEqual(3);
    const triesWhileDown = receiver.received.length;
    expect(triesWhileDown).toBe(row.attempts);

    const undeliverable = (await view(restaurant, '?state=undeliverable').expect(200)).body.callbacks;
    expect(undeliverable).toEqual([
      expect.objectContaining({
        callbackId: row.id,
        orderId,
        status: 'quoted',
        state: 'undeliverable',
        attempts: row.attempts,
        lastResponseStatus: 500,
        lastError: 'HTTP 500 Internal Server Error',
        nextAttemptAt: null,
        deliveredAt: null,
      }),
    ]);
    expect(JSON.stringify(undeliverable)).not.toMatch(/maintenance|s3cr3t/);
    expect((await view(restaurant, '?state=pending').expect(200)).body.callbacks).toEqual([]);

    down = false;
    const retry = () =>
      request(app.getHttpServer())
        .post(`/v1/restaurants/${restaurant.restaurantId}/callbacks/${row.id}/retry`)
        .set('authorization', `Bearer ${restaurant.apiKey}`);
    const requeued = await retry().expect(202);
    expect(requeued.body).toMatchObject({ callbackId: row.id, state: 'pending', attempts: 0 });
    await settled(orderId, 1);
    expect(receiver.received.length).toBe(triesWhileDown + 1);
    expect(receiver.received.at(-1)).toMatchObject({ webhookId: row.webhook_id, verified: true, answer: 204 });

    // Only an undeliverable callback can be retried; an unknown one, or another restaurant's, is not found.
    expect((await retry().expect(409)).body.error).toMatchObject({ code: 'INVALID_TRANSITION', details: { state: 'delivered' } });
    await request(app.getHttpServer())
      .post(`/v1/restaurants/${restaurant.restaurantId}/callbacks/${randomUUID()}/retry`)
      .set('authorization', `Bearer ${restaurant.apiKey}`)
      .expect(404);
    const stranger = await restaurantWithReceiver({ callbacks: false });
    await request(app.getHttpServer())
      .post(`/v1/restaurants/${restaurant.restaurantId}/callbacks/${row.id}/retry`)
      .set('authorization', `Bearer ${stranger.restaurant.apiKey}`)
      .expect(404);
    await view(restaurant).set('authorization', '').expect(401);
    expect((await view(restaurant, '?state=lost').expect(400)).body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [expect.objectContaining({ field: 'state', value: 'lost' })],
    });
  });

  it('queues nothing for a restaurant without a callback URL, nor after it removes its URL', async () => {
    const { restaurant, receiver } = await restaurantWithReceiver({ callbacks: false });
    const { orderId } = await newOrder(restaurant);
    await publish(orderId, 'quoted', { fee: FEE });
    expect(await callbacksOf(orderId)).toEqual([]);

    await putCallbackUrl(app, restaurant, receiver.url).expect(200);
    await publish(orderId, 'assigned', { rider: RIDER });
    expect(await callbacksOf(orderId)).toHaveLength(1);
    await settled(orderId, 1);

    await request(app.getHttpServer())
      .delete(`/v1/restaurants/${restaurant.restaurantId}/callback`)
      .set('authorization', `Bearer ${restaurant.apiKey}`)
      .expect(200, { url: null, pendingGivenUp: 0 });
    await request(app.getHttpServer())
      .get(`/v1/restaurants/${restaurant.restaurantId}/callback`)
      .set('authorization', `Bearer ${restaurant.apiKey}`)
      .expect(200, { url: null });
    await publish(orderId, 'picked_up');
    expect(await callbacksOf(orderId)).toHaveLength(1);
    expect(receiver.received.map((r) => r.json.status)).toEqual(['assigned']);
  });

  it('gives up pending callbacks when the restaurant removes its URL, and sends them once it retries them with a URL again', async () => {
    const { restaurant, receiver } = await restaurantWithReceiver();
    const { orderId } = await newOrder(restaurant);
    receiver.respond = () => ({ status: 500 });
    await publish(orderId, 'quoted', { fee: FEE });
    await eventually(() => (receiver.received.length > 0 ? true : undefined), 'a first try');
    const removed = await request(app.getHttpServer())
      .delete(`/v1/restaurants/${restaurant.restaurantId}/callback`)
      .set('authorization', `Bearer ${restaurant.apiKey}`)
      .expect(200);
    expect(removed.body).toEqual({ url: null, pendingGivenUp: 1 });
    const [row] = await callbacksOf(orderId);
    expect(row).toMatchObject({ state: 'undeliverable', last_error: 'the callback URL was removed' });
    const triesBefore = receiver.received.length;

    // It can be retried once there is a URL again, and is then sent there.
    const retry = () =>
      request(app.getHttpServer())
        .post(`/v1/restaurants/${restaurant.restaurantId}/callbacks/${row.id}/retry`)
        .set('authorization', `Bearer ${restaurant.apiKey}`);
    expect((await retry().expect(409)).body.error).toMatchObject({ code: 'INVALID_TRANSITION', details: { callbackUrl: null } });
    receiver.respond = () => ({ status: 204 });
    await putCallbackUrl(app, restaurant, receiver.url).expect(200);
    await retry().expect(202);
    await settled(orderId, 1);
    expect(receiver.received.slice(triesBefore).map((r) => [r.webhookId, r.answer])).toEqual([[row.webhook_id, 204]]);
  });

  it('gives up, untried, a pending callback whose restaurant has no callback URL by the time it is due', async () => {
    const { restaurant, receiver } = await restaurantWithReceiver();
    const { orderId } = await newOrder(restaurant);
    let down = true;
    receiver.respond = () => (down ? { status: 500 } : { status: 204 });
    await publish(orderId, 'quoted', { fee: FEE });
    await eventually(() => (receiver.received.length > 0 ? true : undefined), 'a first try');
    // A status change that read the URL just before its removal committed queues its callback after the
    // removal gave up the pending ones: the sender finds no URL for it.
    await app.get(DataSource).transaction(async (manager) => {
      await manager.query(`SELECT 1 FROM intake.status_callbacks WHERE order_id = $1 FOR UPDATE`, [orderId]);
      await manager.query(`UPDATE intake.restaurants SET callback_url = NULL WHERE id = $1`, [restaurant.restaurantId]);
    });
    const [tried] = await callbacksOf(orderId);
    down = false;
    const [row] = await eventually(async () => {
      const rows = await callbacksOf(orderId);
      return rows[0]?.state === 'undeliverable' ? rows : undefined;
    }, 'a callback given up');
    expect(row).toMatchObject({
      attempts: tried.attempts,
      last_attempt_at: tried.last_attempt_at,
      last_response_status: 500,
      last_error: 'the restaurant has no callback URL',
      next_attempt_at: null,
    });
    expect(receiver.received).toHaveLength(tried.attempts);
  });

  it('queues a callback only with a status change that commits', async () => {
    const { restaurant } = await restaurantWithReceiver();
    const callbacks = app.get(CallbacksService, { strict: false });
    const updates = app.get(DeliveryUpdatesRepository, { strict: false });
    const dataSource = app.get(DataSource);
    const change = async (orderId: string, fail: boolean) =>
      dataSource.transaction(async (manager) => {
        await updates.advance(manager, orderId, 'quoted', new Date(), { fee: FEE });
        await callbacks.enqueue(manager, { orderId, status: 'quoted', previousStatus: 'received', at: new Date() });
        if (fail) throw new Error('the status change failed after queuing its callback');
      });

    const rolledBack = await newOrder(restaurant);
    await expect(change(rolledBack.orderId, true)).rejects.toThrow('failed after queuing');
    expect(await callbacksOf(rolledBack.orderId)).toEqual([]);
    expect(await queryRows(db.url, 'SELECT status FROM intake.orders WHERE id = $1', [rolledBack.orderId])).toEqual([{ status: 'received' }]);

    const committed = await newOrder(restaurant);
    await change(committed.orderId, false);
    expect(await callbacksOf(committed.orderId)).toEqual([expect.objectContaining({ status: 'quoted' })]);
  });

  it('refuses a callback URL that is not http(s), naming the field, in the API and at provisioning', async () => {
    const { restaurant } = await restaurantWithReceiver({ callbacks: false });
    const put = (body: string) =>
      request(app.getHttpServer())
        .put(`/v1/restaurants/${restaurant.restaurantId}/callback`)
        .set('authorization', `Bearer ${restaurant.apiKey}`)
        .send(body);

    for (const url of ['ftp://pos.example/cb', 'pos.example/cb', '', 42]) {
      const response = await put(JSON.stringify({ url })).expect(400);
      expect(response.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'url', value: url, reason: expect.stringContaining('http or https') })] });
    }
    expect((await put(JSON.stringify({ url: 'https://user:secret@pos.example/cb' })).expect(400)).body.error.details).toEqual([
      expect.objectContaining({ field: 'url', reason: expect.stringContaining('user name or password') }),
    ]);
    expect((await put('{}').expect(400)).body.error.details).toEqual([expect.objectContaining({ field: 'url', reason: 'is required' })]);
    expect((await put('not json').expect(400)).body.error.code).toBe('INVALID_JSON');
    await request(app.getHttpServer()).put(`/v1/restaurants/${restaurant.restaurantId}/callback`).send(JSON.stringify({ url: 'https://pos.example/cb' })).expect(401);
    expect(await queryRows(db.url, 'SELECT callback_url FROM intake.restaurants WHERE id = $1', [restaurant.restaurantId])).toEqual([{ callback_url: null }]);

    await expect(
      provisionRestaurant(app.get(DataSource), { agencyId, name: '식당', address: '서울', lng: 126.98, lat: 37.56, callbackUrl: 'javascript:alert(1)' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'callbackUrl', value: 'javascript:alert(1)' })] });
    const provisioned = await provisionRestaurant(app.get(DataSource), {
      agencyId,
      name: '식당',
      address: '서울',
      lng: 126.98,
      lat: 37.56,
      callbackUrl: 'https://pos.example/baecha',
    });
    expect(provisioned.callbackUrl).toBe('https://pos.example/baecha');
    expect(await queryRows(db.url, 'SELECT callback_url FROM intake.restaurants WHERE id = $1', [provisioned.restaurantId])).toEqual([
      { callback_url: 'https://pos.example/baecha' },
    ]);
  });

  it('sends each callback once, in order per order, with two instances sending side by side', async () => {
    const secondConfig = await testConfig(CALLBACK_ENV);
    const second = await startService({ service: 'intake', module: IntakeModule.forRoot(secondConfig, db.url), config: secondConfig, bodyParser: false });
    try {
      const { restaurant, receiver } = await restaurantWithReceiver();
      const orders = await Promise.all(Array.from({ length: 8 }, () => newOrder(restaurant)));
      const statuses: DeliveryEventStatus[] = ['quoted', 'assigned', 'picked_up', 'delivered'];
      await Promise.all(
        orders.map(async ({ orderId }) => {
          for (const status of statuses) await publish(orderId, status, status === 'quoted' ? { fee: FEE } : status === 'assigned' ? { rider: RIDER } : {});
        }),
      );
      for (const { orderId } of orders) await settled(orderId, statuses.length);
      expect(receiver.received).toHaveLength(orders.length * statuses.length);
      expect(new Set(receiver.received.map((r: ReceivedCallback) => r.webhookId)).size).toBe(orders.length * statuses.length);
      for (const { orderId } of orders) {
        expect(receiver.received.filter((r) => r.json.orderId === orderId).map((r) => r.json.status)).toEqual(statuses);
      }
    } finally {
      await second.close();
    }
  });
});
