import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { AppConfig } from '#config';
import { OrderCreatedEvent, PATTERNS, validateContract } from '#contracts';
import { Messaging } from '#messaging';
import { startService } from '#platform';
import { FakeKakao, FakeNaver, fakeProvidersEnv } from '../../../../libs/maps/src/testing/index.js';
import { createTestDatabase, queryRows } from '../../../../test/support/database.js';
import { eventually } from '../../../../test/support/eventually.js';
import { testConfig } from '../../../../test/support/config.js';
import { FeeModule } from '../../../fee/src/fee.module.js';
import { IntakeModule } from '../intake.module.js';
import type { OrderView } from '../orders/dto/order.view.js';
import { provisionRestaurant, type ProvisionedRestaurant } from '../restaurants/restaurants.provisioning.js';
import { webhookHeaders } from '../webhooks/webhook-signature.js';
import { LocatingRepository } from './locating.repository.js';

const RESTAURANT = { name: '을지로 칼국수', address: '서울 중구 을지로 100', lng: 126.9882, lat: 37.5662 };
const GWANGHWAMUN = { address: '서울 종로구 세종대로 172', point: { lng: 126.9769, lat: 37.5759 } };
const NOWHERE = '서울 어딘가 없는로 999';

/**
 * Orders that arrive with an address and no coordinates: accepted as `locating`, placed by fee's map chain over
 * `fee.geocode` (fee started against fake Kakao and Naver halfway through), then sent on as `order.created`.
 */
describe('locating address-only orders (component, intake and fee on real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let config: AppConfig;
  let intake: INestApplication;
  let fee: INestApplication | undefined;
  let restaurant: ProvisionedRestaurant;
  const kakao = new FakeKakao();
  const naver = new FakeNaver();

  function order(dropoff: Record<string, unknown>, externalOrderId = `pos-${randomUUID()}`) {
    return { externalOrderId, dropoff, items: [{ name: '칼국수', quantity: 2, unitPrice: 9000 }], orderAmount: 18000, note: '문 앞' };
  }

  function post(body: object, id?: string) {
    const raw = JSON.stringify(body);
    return request(intake.getHttpServer())
      .post(`/v1/restaurants/${restaurant.restaurantId}/orders`)
      .set('content-type', 'application/json')
      .set(webhookHeaders(restaurant.webhookSecret, raw, { id }))
      .send(raw);
  }

  async function view(orderId: string): Promise<OrderView> {
    const response = await request(intake.getHttpServer())
      .get(`/v1/restaurants/${restaurant.restaurantId}/orders/${orderId}`)
      .set('authorization', `Bearer ${restaurant.apiKey}`)
      .expect(200);
    return response.body;
  }

  const eventsFor = (orderId: string) =>
    queryRows<{ pattern: string; payload: Record<string, unknown> }>(db.url, `SELECT pattern, payload FROM intake.outbox WHERE payload->>'orderId' = $1`, [orderId]);

  beforeAll(async () => {
    await kakao.start();
    await naver.start();
    kakao.places.set(GWANGHWAMUN.address, GWANGHWAMUN.point);
    db = await createTestDatabase();
    config = await testConfig({
      LOCATE_INTERVAL_MS: '100',
      ...fakeProvidersEnv({ kakao, naver }),
      MAP_PROVIDER_TIMEOUT_MS: '200',
      MAP_CHAIN_DEADLINE_MS: '1000',
    });
    intake = await startService({ service: 'intake', module: IntakeModule.forRoot(config, db.url), config, bodyParser: false });
    restaurant = await provisionRestaurant(intake.get(DataSource), { agencyId: randomUUID(), ...RESTAURANT });
  });

  afterAll(async () => {
    await intake?.close();
    await fee?.close();
    await db?.drop();
    await kakao.stop();
    await naver.stop();
  });

  let locatingId: string;
  let unknownId: string;

  it('accepts an address-only order as locating: stored with its status and receipt, no order.created yet', async () => {
    const response = await post(order({ address: GWANGHWAMUN.address, detail: '3층' }, 'pos-locating-1'), 'msg_locating_1').expect(202);
    expect(response.body).toEqual({ orderId: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'locating' });
    locatingId = response.body.orderId;
    const [row] = await queryRows(db.url, 'SELECT status, dropoff_lng, dropoff_lat, next_locate_at FROM intake.orders WHERE id = $1', [locatingId]);
    expect(row).toMatchObject({ status: 'locating', dropoff_lng: null, dropoff_lat: null, next_locate_at: expect.any(Date) });
    const history = await queryRows(db.url, 'SELECT status FROM intake.order_status_changes WHERE order_id = $1', [locatingId]);
    expect(history).toEqual([{ status: 'locating' }]);
    const receipts = await queryRows(db.url, 'SELECT order_id FROM intake.webhook_receipts WHERE webhook_id = $1', ['msg_locating_1']);
    expect(receipts).toEqual([{ order_id: locatingId }]);
    expect(await eventsFor(locatingId)).toEqual([]);

    unknownId = (await post(order({ address: NOWHERE })).expect(202)).body.orderId;
  });

  it('gives a redelivery of the webhook the first answer, and a resend under a new id the same order', async () => {
    const body = order({ address: GWANGHWAMUN.address, detail: '3층' }, 'pos-locating-1');
    const again = await post(body, 'msg_locating_1').expect(202);
    expect(again.body).toEqual({ orderId: locatingId, status: 'locating' });
    const resent = await post(body, 'msg_locating_1_resent').expect(202);
    expect(resent.body).toEqual({ orderId: locatingId, status: 'locating' });
    const [{ n }] = await queryRows<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM intake.orders WHERE external_order_id = 'pos-locating-1'`);
    expect(n).toBe(1);
  });

  it('still rejects a latitude without longitude, and swapped coordinates, with 400', async () => {
    const halfPoint = await post(order({ address: GWANGHWAMUN.address, lat: 37.5759 })).expect(400);
    expect(halfPoint.body.error.details).toEqual([expect.objectContaining({ field: 'dropoff.lng', reason: 'is required together with dropoff.lat' })]);
    const swapped = await post(order({ address: GWANGHWAMUN.address, lng: 37.5759, lat: 126.9769 })).expect(400);
    expect(swapped.body.error.details.map((e: { field: string }) => e.field)).toEqual(['dropoff.lng', 'dropoff.lat']);
  });

  it('while fee is not running, keeps the order locating with a visible error and a growing attempt count', async () => {
    const first = await eventually(async () => {
      const v = await view(locatingId);
      expect(v.locating?.attempts).toBeGreaterThanOrEqual(1);
      return v;
    }, 'a first failed try');
    const later = await eventually(async () => {
      const v = await view(locatingId);
      expect(v.locating!.attempts).toBeGreaterThan(first.locating!.attempts);
      return v;
    }, 'another failed try');
    expect(later).toMatchObject({
      status: 'locating',
      dropoff: { address: GWANGHWAMUN.address, lng: null, lat: null },
      locating: { lastError: { code: 'FEE_UNREACHABLE', message: expect.any(String) }, nextAttemptAt: expect.any(String) },
    });
    expect(Date.parse(later.locating!.nextAttemptAt!)).toBeGreaterThan(Date.parse(later.updatedAt) - 1);
    expect(later.statusHistory.map((h) => h.status)).toEqual(['locating']);
    expect(await eventsFor(locatingId)).toEqual([]);
  });

  it('backs off between tries: each wait at least doubles, up to five minutes', async () => {
    const [row] = await queryRows<{ locate_attempts: number; wait_ms: number }>(
      db.url,
      `SELECT locate_attempts, extract(epoch FROM next_locate_at - updated_at) * 1000 AS wait_ms FROM intake.orders WHERE id = $1`,
      [locatingId],
    );
    expect(row.locate_attempts).toBeGreaterThanOrEqual(2);
    expect(Number(row.wait_ms)).toBeGreaterThanOrEqual(100 * 2 ** (row.locate_attempts - 1) - 5);
    expect(Number(row.wait_ms)).toBeLessThanOrEqual(5 * 60_000);
  });

  it('once fee is up, places the order: coordinates, received, exactly one order.created', async () => {
    // The restaurant listens for status callbacks (nothing answers there; the callback is queued all the same).
    await queryRows(db.url, `UPDATE intake.restaurants SET callback_url = 'http://127.0.0.1:9/callbacks' WHERE id = $1`, [restaurant.restaurantId]);
    fee = await startService({ service: 'fee', module: FeeModule.forRoot(config, db.url), config });
    // The backoff may have grown while fee was down; bring the next try forward rather than sleep through it.
    await queryRows(db.url, `UPDATE intake.orders SET next_locate_at = now() WHERE id = $1`, [locatingId]);
    const located = await eventually(async () => {
      const v = await view(locatingId);
      expect(v.status).toBe('received');
      return v;
    }, 'the order to be received');
    expect(located.dropoff).toEqual({ address: GWANGHWAMUN.address, ...GWANGHWAMUN.point, detail: '3층', geocodedBy: 'kakao' });
    expect(located.locating).toBeUndefined();
    expect(located.statusHistory.map((h) => h.status)).toEqual(['locating', 'received']);

    const events = await eventsFor(locatingId);
    expect(events).toHaveLength(1);
    expect(events[0].pattern).toBe('order.created');
    const event = validateContract(OrderCreatedEvent, events[0].payload);
    expect(event.ok).toBe(true);
    expect(events[0].payload).toMatchObject({
      orderId: locatingId,
      restaurantId: restaurant.restaurantId,
      externalOrderId: 'pos-locating-1',
      pickup: { lng: RESTAURANT.lng, lat: RESTAURANT.lat, address: RESTAURANT.address },
      dropoff: { ...GWANGHWAMUN.point, address: GWANGHWAMUN.address, detail: '3층' },
      orderAmount: 18000,
      note: '문 앞',
    });
    // The restaurant is told the order is received, in the same transaction that placed it.
    const callbacks = await queryRows<{ payload: Record<string, unknown> }>(db.url, 'SELECT payload FROM intake.status_callbacks WHERE order_id = $1', [locatingId]);
    expect(callbacks.map((c) => c.payload)).toEqual([expect.objectContaining({ orderId: locatingId, status: 'received', previousStatus: 'locating' })]);
    const [{ geocoded }] = await queryRows<{ geocoded: number }>(db.url, 'SELECT count(*)::int AS geocoded FROM fee.geocode_cache');
    expect(geocoded).toBeGreaterThanOrEqual(1);

    // A redelivery now still gets the first answer; the order is not created twice.
    const again = await post(order({ address: GWANGHWAMUN.address, detail: '3층' }, 'pos-locating-1'), 'msg_locating_1').expect(202);
    expect(again.body).toEqual({ orderId: locatingId, status: 'locating' });
    expect(await eventsFor(locatingId)).toHaveLength(1);
  });

  it('keeps an address no provider knows locating, saying ADDRESS_NOT_FOUND, and never drops it', async () => {
    await queryRows(db.url, `UPDATE intake.orders SET next_locate_at = now() WHERE id = $1`, [unknownId]);
    const v = await eventually(async () => {
      const current = await view(unknownId);
      expect(current.locating?.lastError?.code).toBe('ADDRESS_NOT_FOUND');
      return current;
    }, 'ADDRESS_NOT_FOUND on the order');
    expect(v.status).toBe('locating');
    expect(await eventsFor(unknownId)).toEqual([]);
  });

  it('with two intake instances on one database, locates each order once: one fee.geocode, one order.created', async () => {
    const other = await testConfig({ LOCATE_INTERVAL_MS: '100', FEE_PORT: String(config.httpPorts.fee), FEE_RPC_PORT: String(config.rpcPorts.fee) });
    const second = await startService({ service: 'intake', module: IntakeModule.forRoot(other, db.url), config: other, bodyParser: false });
    try {
      const asked: string[] = [];
      for (const app of [intake, second]) {
        const messaging = app.get(Messaging);
        const request = messaging.request.bind(messaging);
        jest.spyOn(messaging, 'request').mockImplementation((pattern, payload, timeoutMs) => {
          if (pattern === PATTERNS.FEE_GEOCODE) asked.push((payload as { orderId: string }).orderId);
          return request(pattern, payload, timeoutMs);
        });
      }
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) {
        const address = `서울 종로구 세종대로 ${200 + i}`;
        kakao.places.set(address, { lng: 126.977 + i / 10_000, lat: 37.576 });
        ids.push((await post(order({ address })).expect(202)).body.orderId);
      }

      await eventually(async () => ((await Promise.all(ids.map(view))).every((o) => o.status === 'received') ? true : undefined), 'every order received');
      for (const id of ids) {
        expect((await eventsFor(id)).filter((e) => e.pattern === 'order.created')).toHaveLength(1);
        expect(asked.filter((orderId) => orderId === id)).toHaveLength(1);
      }
    } finally {
      await second.close();
    }
  });

  it('gives each due order to one locator only, however many ask at once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await post(order({ address: NOWHERE })).expect(202)).body.orderId);
    await queryRows(db.url, `UPDATE intake.orders SET next_locate_at = now() - interval '1 second' WHERE id = ANY($1)`, [ids]);
    const sut = intake.get(LocatingRepository);
    const [a, b, c] = await Promise.all([sut.claimDue(4, 60_000), sut.claimDue(4, 60_000), sut.claimDue(4, 60_000)]);
    const taken = [...a, ...b, ...c].map((o) => o.id).filter((id) => ids.includes(id));
    expect(new Set(taken).size).toBe(taken.length);
    expect(await sut.claimDue(10, 60_000).then((rest) => rest.filter((o) => ids.includes(o.id)))).toEqual([]);
  });
});
