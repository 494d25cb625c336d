import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { AppConfig } from '#config';
import { OrderCreatedEvent, validateContract } from '#contracts';
import { startService } from '#platform';
import { createTestDatabase, queryRows } from '../../../../test/support/database.js';
import { testConfig } from '../../../../test/support/config.js';
import { IntakeModule } from '../intake.module.js';
import { provisionRestaurant, type ProvisionedRestaurant } from '../restaurants/restaurants.provisioning.js';
import { webhookHeaders } from '../webhooks/webhook-signature.js';
import { orderBody, storedCounts } from '../../test/intake-harness.js';

const RESTAURANT = { name: '을지로 칼국수', address: '서울 중구 을지로 100', lng: 126.9882, lat: 37.5662 };
const GWANGHWAMUN = { lng: 126.9769, lat: 37.5759 };

const now = () => Math.floor(Date.now() / 1000);

describe('order intake webhooks (component, real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let config: AppConfig;
  let app: INestApplication;
  let restaurant: ProvisionedRestaurant;
  let other: ProvisionedRestaurant;
  const agencyId = randomUUID();

  /** POSTs a body (an object is serialised) signed with the restaurant's secret unless told otherwise. */
  function post(
    body: string | object,
    options: { to?: ProvisionedRestaurant; restaurantId?: string; secret?: string; id?: string; timestamp?: number; headers?: Record<string, string> } = {},
  ) {
    const to = options.to ?? restaurant;
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    const signed = webhookHeaders(options.secret ?? to.webhookSecret, raw, { id: options.id, timestamp: options.timestamp });
    return request(app.getHttpServer())
      .post(`/v1/restaurants/${options.restaurantId ?? to.restaurantId}/orders`)
      .set('content-type', 'application/json')
      .set(options.headers ?? signed)
      .send(raw);
  }

  const counts = () => storedCounts(db.url);

  /** Runs a request that must be rejected, and checks that it left no row anywhere. */
  async function expectNothingStored<T>(run: () => Promise<T>): Promise<T> {
    const before = await counts();
    const result = await run();
    expect(await counts()).toEqual(before);
    return result;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    config = await testConfig();
    app = await startService({ service: 'intake', module: IntakeModule.forRoot(config, db.url), config, bodyParser: false });
    restaurant = await provisionRestaurant(app.get(DataSource), { agencyId, ...RESTAURANT });
    other = await provisionRestaurant(app.get(DataSource), { agencyId, ...RESTAURANT, name: '다른 식당' });
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  describe('an accepted order', () => {
    it('answers 202 and stores the order, its status, the receipt and the order.created event together', async () => {
      const body = orderBody();
      const response = await post(body, { id: 'msg_happy_path' }).expect(202);
      expect(response.body).toEqual({ orderId: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'received' });
      const { orderId } = response.body;

      const [order] = await queryRows(db.url, 'SELECT * FROM intake.orders WHERE id = $1', [orderId]);
      expect(order).toMatchObject({
        restaurant_id: restaurant.restaurantId,
        external_order_id: body.externalOrderId,
        status: 'received',
        dropoff_address: '서울 종로구 세종대로 172',
        dropoff_lng: GWANGHWAMUN.lng,
        dropoff_lat: GWANGHWAMUN.lat,
        dropoff_detail: '3층 302호',
        customer_phone: '010-1234-5678',
        order_amount: 25000,
        items: body.items,
        note: '문 앞에 놓아주세요',
      });
      expect(await queryRows(db.url, 'SELECT status FROM intake.order_status_changes WHERE order_id = $1', [orderId])).toEqual([
        { status: 'received' },
      ]);
      expect(
        await queryRows(db.url, 'SELECT status_code, response_body FROM intake.webhook_receipts WHERE restaurant_id = $1 AND webhook_id = $2', [
          restaurant.restaurantId,
          'msg_happy_path',
        ]),
      ).toEqual([{ status_code: 202, response_body: { orderId, status: 'received' } }]);

      const outbox = await queryRows<{ pattern: string; payload: Record<string, unknown>; published_at: Date | null }>(
        db.url,
        "SELECT pattern, payload, published_at FROM intake.outbox WHERE payload->>'orderId' = $1",
        [orderId],
      );
      expect(outbox).toHaveLength(1);
      // Dispatch is not running in this test, so the event waits in the outbox.
      expect(outbox[0]).toMatchObject({ pattern: 'order.created', published_at: null });
      expect(outbox[0].payload).toEqual({
        eventId: expect.any(String),
        occurredAt: expect.any(String),
        // The webhook request's id, which dispatch puts on its log lines about the order.
        correlationId: response.headers['x-request-id'],
        orderId,
        agencyId,
        restaurantId: restaurant.restaurantId,
        restaurantName: RESTAURANT.name,
        externalOrderId: body.externalOrderId,
        pickup: { lng: RESTAURANT.lng, lat: RESTAURANT.lat, address: RESTAURANT.address },
        dropoff: { ...GWANGHWAMUN, address: '서울 종로구 세종대로 172', detail: '3층 302호' },
        orderAmount: 25000,
        note: '문 앞에 놓아주세요',
        // Sent without a cooking time, from a restaurant without its own: ready on acceptance (DEFAULT_COOKING_MINUTES 0).
        readyAt: (order.ready_at as Date).toISOString(),
        // For the rider who will carry it; the order said nothing of payment.
        customerPhone: '010-1234-5678',
      });
      expect(order.promised_at).toBeNull();
      // What dispatch will validate it against.
      expect(validateContract(OrderCreatedEvent, outbox[0].payload)).toMatchObject({ ok: true });
    });

    it('keeps the event for a retry while dispatch cannot be reached', async () => {
      const { body } = await post(orderBody()).expect(202);
      const deadline = Date.now() + 10_000;
      let row: { attempts: number; last_error: string | null; published_at: Date | null } | undefined;
      while (Date.now() < deadline) {
        [row] = await queryRows(db.url, "SELECT attempts, last_error, published_at FROM intake.outbox WHERE payload->>'orderId' = $1", [body.orderId]);
        if (row && row.attempts > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(row).toMatchObject({ attempts: expect.any(Number), last_error: expect.any(String), published_at: null });
      expect(row!.attempts).toBeGreaterThan(0);
    });

    it('accepts a body of exactly the size limit', async () => {
      const compact = JSON.stringify(orderBody());
      const padded = compact + ' '.repeat(config.intake.maxBodyBytes - Buffer.byteLength(compact));
      expect(Buffer.byteLength(padded)).toBe(64 * 1024);
      await post(padded).expect(202);
    });

    it('accepts an order without the optional customer, detail and note', async () => {
      const body = orderBody({ dropoff: { address: '서울 종로구 세종대로 172', ...GWANGHWAMUN }, customer: undefined, note: undefined });
      const { body: answer } = await post(body).expect(202);
      const [order] = await queryRows(db.url, 'SELECT customer_phone, dropoff_detail, note FROM intake.orders WHERE id = $1', [answer.orderId]);
      expect(order).toEqual({ customer_phone: null, dropoff_detail: null, note: null });
    });
  });

  describe('redelivery and duplicates', () => {
    it('answers a redelivered webhook-id with the identical first answer and creates nothing', async () => {
      const body = JSON.stringify(orderBody());
      const id = `msg_${randomUUID()}`;
      const first = await post(body, { id }).expect(202);
      const again = await expectNothingStored(() => post(body, { id, timestamp: now() + 5 }));
      expect(again.status).toBe(first.status);
      expect(again.text).toBe(first.text);
    });

    it('gives the first answer to a reused webhook-id even if the body changed, broken or not', async () => {
      const id = `msg_${randomUUID()}`;
      const first = await post(orderBody(), { id }).expect(202);
      for (const body of [orderBody(), '{not json', JSON.stringify({ externalOrderId: '' })]) {
        const again = await expectNothingStored(() => post(body, { id }));
        expect({ status: again.status, body: again.body }).toEqual({ status: 202, body: first.body });
      }
    });

    it('does not replay another restaurant\'s answer for the same webhook-id', async () => {
      const id = `msg_${randomUUID()}`;
      const mine = await post(orderBody(), { id }).expect(202);
      const theirs = await post(orderBody(), { id, to: other }).expect(202);
      expect(theirs.body.orderId).not.toBe(mine.body.orderId);
    });

    it('answers the same order to the same externalOrderId with the same content under a new webhook-id', async () => {
      const body = orderBody();
      const first = await post(body).expect(202);
      // Same content, keys in another order: still the same order.
      const reordered = { orderAmount: body.orderAmount, items: body.items, note: body.note, customer: body.customer, dropoff: body.dropoff, externalOrderId: body.externalOrderId };
      const again = await expectNothingStored(() => post(reordered).expect(202));
      expect(again.body).toEqual({ orderId: first.body.orderId, status: 'received' });
    });

    it('refuses the same externalOrderId with different content with 409, naming the existing order', async () => {
      const body = orderBody();
      const first = await post(body).expect(202);
      const response = await expectNothingStored(() => post({ ...body, orderAmount: 26000 }).expect(409));
      expect(response.body.error).toEqual({
        code: 'ORDER_CONFLICT',
        message: expect.stringContaining(first.body.orderId),
        details: { orderId: first.body.orderId, externalOrderId: body.externalOrderId },
      });
    });

    it('lets two restaurants use the same externalOrderId', async () => {
      const body = orderBody();
      const mine = await post(body).expect(202);
      const theirs = await post(body, { to: other }).expect(202);
      expect(theirs.body.orderId).not.toBe(mine.body.orderId);
    });

    it('creates exactly one order from 10 concurrent deliveries of one webhook-id', async () => {
      const body = JSON.stringify(orderBody());
      const id = `msg_${randomUUID()}`;
      const before = await counts();
      const answers = await Promise.all(Array.from({ length: 10 }, () => post(body, { id })));
      expect(new Set(answers.map((a) => `${a.status} ${a.text}`)).size).toBe(1);
      expect(answers[0].status).toBe(202);
      expect(await counts()).toEqual({
        orders: before.orders + 1,
        statusChanges: before.statusChanges + 1,
        receipts: before.receipts + 1,
        outbox: before.outbox + 1,
      });
    });

    it('creates exactly one order from 10 concurrent sends of one externalOrderId under different webhook-ids', async () => {
      const body = JSON.stringify(orderBody());
      const before = await counts();
      const answers = await Promise.all(Array.from({ length: 10 }, () => post(body)));
      expect(answers.map((a) => a.status)).toEqual(Array(10).fill(202));
      expect(new Set(answers.map((a) => a.body.orderId)).size).toBe(1);
      // The losers' receipts were not kept either: each send is all or nothing.
      expect(await counts()).toEqual({
        orders: before.orders + 1,
        statusChanges: before.statusChanges + 1,
        receipts: before.receipts + 1,
        outbox: before.outbox + 1,
      });
    });
  });

  describe('rejected bodies store nothing', () => {
    const cases: Array<[string, unknown, Array<{ field: string; value?: unknown; reason: unknown }>]> = [
      ['a missing externalOrderId', orderBody({ externalOrderId: undefined }), [{ field: 'externalOrderId', reason: 'is required' }]],
      [
        'swapped lng and lat',
        orderBody({ dropoff: { address: '서울 종로구 세종대로 172', lng: 37.5759, lat: 126.9769 } }),
        [
          { field: 'dropoff.lng', value: 37.5759, reason: expect.stringContaining('swapped') },
          { field: 'dropoff.lat', value: 126.9769, reason: expect.stringContaining('swapped') },
        ],
      ],
      [
        'a latitude without longitude',
        orderBody({ dropoff: { address: '서울 종로구 세종대로 172', lat: 37.5759 } }),
        [{ field: 'dropoff.lng', reason: 'is required together with dropoff.lat' }],
      ],
      [
        'a longitude without latitude',
        orderBody({ dropoff: { address: '서울 종로구 세종대로 172', lng: 126.9769 } }),
        [{ field: 'dropoff.lat', reason: 'is required together with dropoff.lng' }],
      ],
      ['a point outside Korea', orderBody({ dropoff: { address: 'Tokyo', lng: 139.69, lat: 35.68 } }), [
        { field: 'dropoff.lng', value: 139.69, reason: expect.stringContaining('longitude inside South Korea') },
      ]],
      ['a missing dropoff', orderBody({ dropoff: undefined }), [{ field: 'dropoff', reason: 'is required' }]],
      ['a dropoff without address', orderBody({ dropoff: GWANGHWAMUN }), [{ field: 'dropoff.address', reason: 'is required' }]],
      [
        'a quantity of 0',
        orderBody({ items: [{ name: '칼국수', quantity: 0, unitPrice: 9000 }] }),
        [{ field: 'items[0].quantity', value: 0, reason: 'must be an integer from 1 to 1000' }],
      ],
      [
        'a negative unit price in the second item',
        orderBody({ items: [{ name: '칼국수', quantity: 1, unitPrice: 9000 }, { name: '만두', quantity: 1, unitPrice: -1 }] }),
        [{ field: 'items[1].unitPrice', value: -1, reason: 'must be an integer from 0 to 100000000' }],
      ],
      ['a non-integer orderAmount', orderBody({ orderAmount: 25000.5 }), [{ field: 'orderAmount', value: 25000.5, reason: 'must be an integer from 0 to 100000000' }]],
      ['an orderAmount given as a string', orderBody({ orderAmount: '25000' }), [{ field: 'orderAmount', value: '25000', reason: 'must be an integer from 0 to 100000000' }]],
      // Beyond PostgreSQL's integer: refused as a field, never a 500 from the database.
      ['an orderAmount of 3 billion', orderBody({ orderAmount: 3_000_000_000 }), [{ field: 'orderAmount', value: 3_000_000_000, reason: 'must be an integer from 0 to 100000000' }]],
      // PostgreSQL cannot store NUL in text or jsonb.
      ['a NUL character in the note', orderBody({ note: 'a\u0000b' }), [{ field: 'note', value: 'a\ufffdb', reason: expect.stringContaining('NUL (U+0000) at character 1') }]],
      ['no items', orderBody({ items: [] }), [{ field: 'items', value: [], reason: 'must be a list of 1 to 100 entries' }]],
      ['a bad phone number', orderBody({ customer: { phone: '12345' } }), [{ field: 'customer.phone', value: '12345', reason: expect.stringContaining('Korean phone') }]],
      ['a note over 500 characters', orderBody({ note: '가'.repeat(501) }), [{ field: 'note', value: '가'.repeat(501), reason: 'must be a string of 1 to 500 characters, without NUL' }]],
      ['a JSON array', [orderBody()], [{ field: '(body)', value: [expect.any(Object)], reason: 'must be a JSON object' }]],
      [
        'several bad fields at once',
        orderBody({ externalOrderId: '', orderAmount: -5, items: [{ name: '', quantity: 1.5, unitPrice: 100 }] }),
        [
          { field: 'externalOrderId', value: '', reason: 'must be a string of 1 to 100 characters, without NUL' },
          { field: 'items[0].name', value: '', reason: 'must be a string of 1 to 200 characters, without NUL' },
          { field: 'items[0].quantity', value: 1.5, reason: 'must be an integer from 1 to 1000' },
          { field: 'orderAmount', value: -5, reason: 'must be an integer from 0 to 100000000' },
        ],
      ],
    ];

    it.each(cases)('400 VALIDATION_FAILED for %s, one entry per bad field', async (_, body, details) => {
      const response = await expectNothingStored(() => post(body as object).expect(400));
      expect(response.body.error).toEqual({ code: 'VALIDATION_FAILED', message: expect.any(String), details: expect.any(Array) });
      const sorted = [...response.body.error.details].sort((a, b) => a.field.localeCompare(b.field));
      expect(sorted).toEqual([...details].sort((a, b) => a.field.localeCompare(b.field)));
    });

    it('400 INVALID_JSON for a body that is not JSON', async () => {
      const response = await expectNothingStored(() => post('{"externalOrderId": "A-1",').expect(400));
      expect(response.body.error).toEqual({ code: 'INVALID_JSON', message: expect.stringContaining('not JSON') });
    });

    it('400 INVALID_JSON for an empty body', async () => {
      const response = await expectNothingStored(() => post('').expect(400));
      expect(response.body.error.code).toBe('INVALID_JSON');
    });

    it('accepts the corrected order under the webhook-id a rejected one used', async () => {
      const id = `msg_${randomUUID()}`;
      await post(orderBody({ items: [] }), { id }).expect(400);
      await post(orderBody(), { id }).expect(202);
    });
  });

  describe('rejected senders store nothing', () => {
    it('401 SIGNATURE_MISSING without the signature headers', async () => {
      const response = await expectNothingStored(() => post(orderBody(), { headers: {} }).expect(401));
      expect(response.body.error).toEqual({ code: 'SIGNATURE_MISSING', message: expect.stringContaining('webhook-signature') });
    });

    it('401 SIGNATURE_INVALID for a body signed with another secret', async () => {
      const response = await expectNothingStored(() => post(orderBody(), { secret: other.webhookSecret }).expect(401));
      expect(response.body.error.code).toBe('SIGNATURE_INVALID');
    });

    it('401 SIGNATURE_INVALID for a body changed after signing', async () => {
      const raw = JSON.stringify(orderBody());
      const headers = webhookHeaders(restaurant.webhookSecret, raw);
      const response = await expectNothingStored(() => post(raw.replace('25000', '2500'), { headers }).expect(401));
      expect(response.body.error.code).toBe('SIGNATURE_INVALID');
    });

    it('401 TIMESTAMP_OUT_OF_TOLERANCE for a timestamp over 5 minutes old', async () => {
      const response = await expectNothingStored(() => post(orderBody(), { timestamp: now() - 301 }).expect(401));
      expect(response.body.error.code).toBe('TIMESTAMP_OUT_OF_TOLERANCE');
    });

    it('401 TIMESTAMP_OUT_OF_TOLERANCE for a timestamp over 5 minutes ahead', async () => {
      const response = await expectNothingStored(() => post(orderBody(), { timestamp: now() + 301 }).expect(401));
      expect(response.body.error.code).toBe('TIMESTAMP_OUT_OF_TOLERANCE');
    });

    it('checks the signature before replaying: a redelivery must be signed too', async () => {
      const id = `msg_${randomUUID()}`;
      const body = JSON.stringify(orderBody());
      await post(body, { id }).expect(202);
      await post(body, { id, secret: other.webhookSecret }).expect(401);
    });

    it('404 RESTAURANT_NOT_FOUND for an unknown restaurant, or an id that is not a UUID', async () => {
      for (const restaurantId of [randomUUID(), 'not-a-uuid']) {
        const response = await expectNothingStored(() => post(orderBody(), { restaurantId }).expect(404));
        expect(response.body.error.code).toBe('RESTAURANT_NOT_FOUND');
      }
    });

    it('413 PAYLOAD_TOO_LARGE for a declared Content-Length over 64 KiB, before the restaurant is even looked up', async () => {
      const big = JSON.stringify(orderBody({ note: 'x'.repeat(70 * 1024) }));
      const response = await expectNothingStored(() => post(big, { restaurantId: randomUUID() }).expect(413));
      expect(response.body.error).toEqual({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('65536'), details: { limitBytes: 65536 } });
    });

    it('413 PAYLOAD_TOO_LARGE for a chunked body that grows over 64 KiB', async () => {
      const { port } = app.getHttpServer().address() as AddressInfo;
      const answer = await expectNothingStored(
        () =>
          new Promise<{ status: number; body: string }>((resolve, reject) => {
            const req = http.request(
              { host: '127.0.0.1', port, method: 'POST', path: `/v1/restaurants/${restaurant.restaurantId}/orders`, headers: { 'content-type': 'application/json' } },
              (res) => {
                let text = '';
                res.on('data', (chunk) => (text += chunk));
                res.on('end', () => resolve({ status: res.statusCode!, body: text }));
              },
            );
            req.on('error', reject);
            // No Content-Length: the body arrives in chunks.
            for (let i = 0; i < 6; i++) req.write(' '.repeat(16 * 1024));
            req.end('{}');
          }),
      );
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body).error.code).toBe('PAYLOAD_TOO_LARGE');
    });
  });

  describe('reading an order', () => {
    let orderId: string;
    let externalOrderId: string;

    beforeAll(async () => {
      const body = orderBody();
      externalOrderId = body.externalOrderId as string;
      orderId = (await post(body).expect(202)).body.orderId;
    });

    const get = (path: string, apiKey?: string) => {
      const call = request(app.getHttpServer()).get(path);
      return apiKey ? call.set('authorization', `Bearer ${apiKey}`) : call;
    };

    it('shows the restaurant its order with its status history', async () => {
      const response = await get(`/v1/restaurants/${restaurant.restaurantId}/orders/${orderId}`, restaurant.apiKey).expect(200);
      expect(response.body).toEqual({
        orderId,
        externalOrderId,
        status: 'received',
        orderAmount: 25000,
        dropoff: { address: '서울 종로구 세종대로 172', ...GWANGHWAMUN, detail: '3층 302호' },
        fee: null,
        enteredBy: 'restaurant',
        payment: null,
        rider: null,
        statusHistory: [{ status: 'received', at: expect.any(String) }],
        readyAt: expect.any(String),
        promisedAt: null,
        timingHistory: [],
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(response.body.statusHistory[0].at).toBe(response.body.createdAt);
    });

    it('401 UNAUTHENTICATED without a key or with an unknown one', async () => {
      const path = `/v1/restaurants/${restaurant.restaurantId}/orders/${orderId}`;
      expect((await get(path).expect(401)).body.error.code).toBe('UNAUTHENTICATED');
      expect((await get(path, 'rk_not-a-real-key').expect(401)).body.error.code).toBe('UNAUTHENTICATED');
      await request(app.getHttpServer()).get(path).set('authorization', restaurant.apiKey).expect(401);
    });

    it("404 with another restaurant's key, whether on this restaurant's path or its own", async () => {
      const onMine = await get(`/v1/restaurants/${restaurant.restaurantId}/orders/${orderId}`, other.apiKey).expect(404);
      const onTheirs = await get(`/v1/restaurants/${other.restaurantId}/orders/${orderId}`, other.apiKey).expect(404);
      expect(onMine.body).toEqual(onTheirs.body);
      expect(onMine.body.error.code).toBe('ORDER_NOT_FOUND');
    });

    it('404 for an unknown order and for ids that are not UUIDs, never a 500', async () => {
      for (const path of [
        `/v1/restaurants/${restaurant.restaurantId}/orders/${randomUUID()}`,
        `/v1/restaurants/${restaurant.restaurantId}/orders/not-a-uuid`,
        `/v1/restaurants/not-a-uuid/orders/${orderId}`,
      ]) {
        expect((await get(path, restaurant.apiKey).expect(404)).body.error.code).toBe('ORDER_NOT_FOUND');
      }
    });
  });

  it('reports its database up and itself degraded while dispatch cannot be reached', async () => {
    const response = await request(app.getHttpServer()).get('/health').expect(200);
    expect(response.body).toMatchObject({
      status: 'degraded',
      checks: [
        expect.objectContaining({ name: 'database', status: 'up' }),
        expect.objectContaining({ name: 'transport:intake', status: 'up' }),
        expect.objectContaining({ name: 'transport:dispatch', status: 'down', critical: false }),
      ],
    });
  });
});
