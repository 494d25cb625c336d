import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { queryRows } from '../../../../test/support/database.js';
import { orderBody, startIntake, type IntakeHarness } from '../../test/intake-harness.js';
import { provisionRestaurant, type ProvisionedRestaurant } from '../restaurants/restaurants.provisioning.js';
import { webhookHeaders } from '../webhooks/webhook-signature.js';

const MINUTE = 60_000;

interface Written {
  changes: number;
  events: number;
  receipts: number;
}

describe('"ready now" and "delayed" webhooks (component, real PostgreSQL)', () => {
  let h: IntakeHarness;
  let app: INestApplication;
  let db: { url: string };
  let restaurant: ProvisionedRestaurant;
  let other: ProvisionedRestaurant;
  let agencyId: string;

  /** A signed POST of `body` (an object is serialised) to one of the order's timing routes. */
  function send(
    orderId: string,
    route: 'ready' | 'delay',
    body: string | object = {},
    options: { to?: ProvisionedRestaurant; secret?: string; id?: string; headers?: Record<string, string> } = {},
  ) {
    const to = options.to ?? restaurant;
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    return request(app.getHttpServer())
      .post(`/v1/restaurants/${to.restaurantId}/orders/${orderId}/${route}`)
      .set('content-type', 'application/json')
      .set(options.headers ?? webhookHeaders(options.secret ?? to.webhookSecret, raw, { id: options.id }))
      .send(raw);
  }

  async function newOrder(fields: Record<string, unknown> = {}, to = restaurant): Promise<string> {
    const raw = JSON.stringify(orderBody(fields));
    const response = await request(app.getHttpServer())
      .post(`/v1/restaurants/${to.restaurantId}/orders`)
      .set('content-type', 'application/json')
      .set(webhookHeaders(to.webhookSecret, raw))
      .send(raw)
      .expect(202);
    return response.body.orderId;
  }

  const readyAt = async (orderId: string) =>
    (await queryRows<{ ready_at: Date }>(db.url, 'SELECT ready_at FROM intake.orders WHERE id = $1', [orderId]))[0].ready_at;

  const events = (orderId: string) =>
    queryRows<{ payload: Record<string, unknown> }>(db.url, "SELECT payload FROM intake.outbox WHERE pattern = 'order.timing-changed' AND payload->>'orderId' = $1", [orderId]);

  async function written(orderId: string): Promise<Written> {
    const [row] = await queryRows<Written>(
      db.url,
      `SELECT (SELECT count(*) FROM intake.order_timing_changes WHERE order_id = $1)::int AS changes,
              (SELECT count(*) FROM intake.outbox WHERE pattern = 'order.timing-changed' AND payload->>'orderId' = $1::text)::int AS events,
              (SELECT count(*) FROM intake.webhook_receipts WHERE order_id = $1)::int AS receipts`,
      [orderId],
    );
    return row;
  }

  /** Runs a request that must be refused, and checks that it wrote nothing about the order. */
  async function refusedWithout(orderId: string, run: () => Promise<request.Response>, status: number, code: string): Promise<request.Response> {
    const before = await written(orderId);
    const readyBefore = await readyAt(orderId);
    const response = await run();
    expect({ status: response.status, code: response.body.error?.code }).toEqual({ status, code });
    expect(await written(orderId)).toEqual(before);
    expect(await readyAt(orderId)).toEqual(readyBefore);
    return response;
  }

  beforeAll(async () => {
    h = await startIntake();
    ({ app, restaurant } = h);
    db = { url: h.databaseUrl };
    [{ agencyId }] = await queryRows<{ agencyId: string }>(db.url, 'SELECT agency_id AS "agencyId" FROM intake.restaurants WHERE id = $1', [restaurant.restaurantId]);
    other = await provisionRestaurant(app.get(DataSource), { agencyId, name: '다른 식당', address: '서울 중구 을지로 100', lng: 126.9882, lat: 37.5662 });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('moves the ready time by the delay, keeps it in the history and emits order.timing-changed once, in one go', async () => {
    const orderId = await newOrder({ cookingMinutes: 15 });
    const before = await readyAt(orderId);
    const response = await send(orderId, 'delay', { minutes: 10 }).expect(200);
    const after = await readyAt(orderId);
    expect(after.getTime() - before.getTime()).toBe(10 * MINUTE);
    expect(response.body).toEqual({ orderId, change: 'delayed', delayMinutes: 10, readyAt: after.toISOString(), promisedAt: null });
    // The order's own receipt, and this webhook's.
    expect(await written(orderId)).toEqual({ changes: 1, events: 1, receipts: 2 });
    const [event] = await events(orderId);
    expect(event.payload).toMatchObject({ orderId, agencyId, change: 'delayed', delayMinutes: 10, readyAt: after.toISOString() });

    const view = await request(app.getHttpServer())
      .get(`/v1/restaurants/${restaurant.restaurantId}/orders/${orderId}`)
      .set('authorization', `Bearer ${restaurant.apiKey}`)
      .expect(200);
    expect(view.body).toMatchObject({ readyAt: after.toISOString(), timingHistory: [{ change: 'delayed', delayMinutes: 10, readyAt: after.toISOString(), at: expect.any(String) }] });
  });

  it('"ready now" sets the ready time to now, with an empty body or {}', async () => {
    for (const body of ['', '{}']) {
      const orderId = await newOrder({ cookingMinutes: 30 });
      const said = await readyAt(orderId);
      const response = await send(orderId, 'ready', body).expect(200);
      const now = await readyAt(orderId);
      // Half an hour earlier than it was said (by the clock of the request, a moment after the order's).
      expect((said.getTime() - now.getTime()) / MINUTE).toBeCloseTo(30, 0);
      expect(response.body).toMatchObject({ orderId, change: 'ready', readyAt: now.toISOString() });
      expect((await events(orderId)).map((e) => e.payload)).toEqual([expect.objectContaining({ change: 'ready', readyAt: now.toISOString() })]);
    }
  });

  it('answers a redelivered webhook-id with the first answer and changes nothing more, even sent at once', async () => {
    const orderId = await newOrder({ cookingMinutes: 15 });
    const first = await send(orderId, 'delay', { minutes: 5 }, { id: 'msg_delay_once' }).expect(200);
    const again = await send(orderId, 'delay', { minutes: 5 }, { id: 'msg_delay_once' }).expect(200);
    expect(again.text).toBe(first.text);
    const together = await Promise.all([1, 2, 3].map(() => send(orderId, 'delay', { minutes: 7 }, { id: 'msg_delay_together' })));
    expect(new Set(together.map((r) => `${r.status} ${r.text}`)).size).toBe(1);
    expect(await written(orderId)).toEqual({ changes: 2, events: 2, receipts: 3 });
  });

  it('refuses a missing or wrong signature like the order webhook, writing nothing', async () => {
    const orderId = await newOrder();
    await refusedWithout(orderId, () => send(orderId, 'delay', { minutes: 5 }, { headers: {} }), 401, 'SIGNATURE_MISSING');
    await refusedWithout(orderId, () => send(orderId, 'delay', { minutes: 5 }, { secret: other.webhookSecret }), 401, 'SIGNATURE_INVALID');
    await refusedWithout(orderId, () => send(orderId, 'ready', '', { secret: other.webhookSecret }), 401, 'SIGNATURE_INVALID');
  });

  it("404 ORDER_NOT_FOUND for another restaurant's order, an unknown one and an id that is not a UUID", async () => {
    const orderId = await newOrder();
    await refusedWithout(orderId, () => send(orderId, 'ready', '', { to: other }), 404, 'ORDER_NOT_FOUND');
    for (const id of [randomUUID(), 'not-a-uuid']) expect((await send(id, 'delay', { minutes: 5 }).expect(404)).body.error.code).toBe('ORDER_NOT_FOUND');
  });

  it('409 ORDER_TIMING_CLOSED once the order is picked up, delivered or cancelled', async () => {
    for (const status of ['picked_up', 'delivered', 'cancelled', 'failed']) {
      const orderId = await newOrder();
      await queryRows(db.url, 'UPDATE intake.orders SET status = $2 WHERE id = $1', [orderId, status]);
      const response = await refusedWithout(orderId, () => send(orderId, 'delay', { minutes: 5 }), 409, 'ORDER_TIMING_CLOSED');
      expect(response.body.error.details).toEqual({ orderId, status });
    }
  });

  it('400 naming the field, its value and the reason for a bad delay or body', async () => {
    const orderId = await newOrder();
    for (const minutes of [0, 241, 2.5, '10', null]) {
      const response = await refusedWithout(orderId, () => send(orderId, 'delay', { minutes }), 400, 'VALIDATION_FAILED');
      expect(response.body.error.details).toEqual([{ field: 'minutes', value: minutes, reason: expect.stringMatching(/integer from 1 to 240|is required/) }]);
    }
    await refusedWithout(orderId, () => send(orderId, 'delay', '{"minutes":'), 400, 'INVALID_JSON');
    const response = await refusedWithout(orderId, () => send(orderId, 'ready', '[1]'), 400, 'VALIDATION_FAILED');
    expect(response.body.error.details).toEqual([{ field: '(body)', value: [1], reason: 'must be a JSON object, or empty' }]);
  });

  it('moves an order still being located without an event: its order.created, written once it is placed, carries the time', async () => {
    const orderId = await newOrder({ dropoff: { address: '서울 종로구 세종대로 172' }, cookingMinutes: 20 });
    await send(orderId, 'delay', { minutes: 10 }).expect(200);
    expect(await written(orderId)).toEqual({ changes: 1, events: 0, receipts: 2 });
  });
});
