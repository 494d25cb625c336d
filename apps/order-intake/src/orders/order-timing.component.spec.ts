import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { queryRows } from '../../../../test/support/database.js';
import { orderBody, startIntake, storedCounts, type IntakeHarness } from '../../test/intake-harness.js';
import { provisionRestaurant, type ProvisionedRestaurant } from '../restaurants/restaurants.provisioning.js';
import { webhookHeaders } from '../webhooks/webhook-signature.js';

const RESTAURANT = { name: '을지로 칼국수', address: '서울 중구 을지로 100', lng: 126.9882, lat: 37.5662 };
const MINUTE = 60_000;
/** The system's default cooking time in this test, unlike the shipped 0, so its use shows. */
const SYSTEM_DEFAULT_MINUTES = 12;

interface Stored {
  created_at: Date;
  ready_at: Date;
  promised_at: Date | null;
  event: { readyAt?: string; promisedAt?: string } | null;
}

describe('cooking time and promise on orders (component, real PostgreSQL)', () => {
  let h: IntakeHarness;
  let app: INestApplication;
  let db: { url: string };
  let plain: ProvisionedRestaurant;
  let slowKitchen: ProvisionedRestaurant;

  function post(body: object, to: ProvisionedRestaurant = plain) {
    const raw = JSON.stringify(body);
    return request(app.getHttpServer())
      .post(`/v1/restaurants/${to.restaurantId}/orders`)
      .set('content-type', 'application/json')
      .set(webhookHeaders(to.webhookSecret, raw))
      .send(raw);
  }

  async function stored(orderId: string): Promise<Stored> {
    const [row] = await queryRows<Stored>(
      db.url,
      `SELECT o.created_at, o.ready_at, o.promised_at, (SELECT payload FROM intake.outbox WHERE payload->>'orderId' = o.id::text) AS event
         FROM intake.orders o WHERE o.id = $1`,
      [orderId],
    );
    return row;
  }

  /** Minutes from acceptance (the row's creation, by the database's clock) to `at`. */
  const minutesAfterAcceptance = (row: Stored, at: Date) => (at.getTime() - row.created_at.getTime()) / MINUTE;

  /** Sends a body that must be refused, and checks the refusal named `field` and wrote nothing. */
  async function refused(body: object, field: string): Promise<{ field: string; value: unknown; reason: string }> {
    const before = await storedCounts(db.url);
    const response = await post(body).expect(400);
    expect(await storedCounts(db.url)).toEqual(before);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
    const error = response.body.error.details.find((d: { field: string }) => d.field === field);
    expect({ field, error }).toEqual({ field, error: expect.objectContaining({ field, reason: expect.any(String) }) });
    return error;
  }

  beforeAll(async () => {
    h = await startIntake({ DEFAULT_COOKING_MINUTES: String(SYSTEM_DEFAULT_MINUTES) });
    ({ app, restaurant: plain } = h);
    db = { url: h.databaseUrl };
    slowKitchen = await provisionRestaurant(app.get(DataSource), { agencyId: randomUUID(), ...RESTAURANT, name: '느린 부엌', defaultCookingMinutes: 35 });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('takes cookingMinutes and promisedMinutes from acceptance, and sends both in order.created', async () => {
    const { body } = await post(orderBody({ cookingMinutes: 20, promisedMinutes: 45 })).expect(202);
    const row = await stored(body.orderId);
    expect(minutesAfterAcceptance(row, row.ready_at)).toBeCloseTo(20, 1);
    expect(minutesAfterAcceptance(row, row.promised_at!)).toBeCloseTo(45, 1);
    expect(row.event).toMatchObject({ readyAt: row.ready_at.toISOString(), promisedAt: row.promised_at!.toISOString() });
  });

  it('takes readyAt and promisedAt as sent, in any offset', async () => {
    const readyAt = new Date(Math.ceil((Date.now() + 30 * MINUTE) / 1000) * 1000);
    const promisedAt = new Date(readyAt.getTime() + 25 * MINUTE);
    // The same instants written in Korean time.
    const kst = (d: Date) => new Date(d.getTime() + 9 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, '+09:00');
    const { body } = await post(orderBody({ readyAt: kst(readyAt), promisedAt: kst(promisedAt) })).expect(202);
    const row = await stored(body.orderId);
    expect(row.ready_at).toEqual(readyAt);
    expect(row.promised_at).toEqual(promisedAt);
    expect(row.event).toMatchObject({ readyAt: readyAt.toISOString(), promisedAt: promisedAt.toISOString() });
  });

  it("applies the restaurant's usual cooking time when the order has none, else the system's; no promise unless sent", async () => {
    const fromRestaurant = await stored((await post(orderBody(), slowKitchen).expect(202)).body.orderId);
    expect(minutesAfterAcceptance(fromRestaurant, fromRestaurant.ready_at)).toBeCloseTo(35, 1);
    const fromSystem = await stored((await post(orderBody()).expect(202)).body.orderId);
    expect(minutesAfterAcceptance(fromSystem, fromSystem.ready_at)).toBeCloseTo(SYSTEM_DEFAULT_MINUTES, 1);
    expect(fromSystem.promised_at).toBeNull();
    expect(fromSystem.event).not.toHaveProperty('promisedAt');
    // An order's own cooking time wins over the restaurant's, even 0: ready now.
    const own = await stored((await post(orderBody({ cookingMinutes: 0 }), slowKitchen).expect(202)).body.orderId);
    expect(minutesAfterAcceptance(own, own.ready_at)).toBeCloseTo(0, 1);
  });

  it("lets the restaurant set its usual cooking time with its API key, and clear it back to the system's", async () => {
    const path = `/v1/restaurants/${plain.restaurantId}/cooking-time`;
    const put = (body: string, key = plain.apiKey) =>
      request(app.getHttpServer()).put(path).set('authorization', `Bearer ${key}`).set('content-type', 'application/json').send(body);
    await request(app.getHttpServer()).get(path).set('authorization', `Bearer ${plain.apiKey}`).expect(200, { minutes: null, defaultMinutes: SYSTEM_DEFAULT_MINUTES });
    await put('{"minutes":25}').expect(200, { minutes: 25, defaultMinutes: SYSTEM_DEFAULT_MINUTES });
    const usual = await stored((await post(orderBody()).expect(202)).body.orderId);
    expect(minutesAfterAcceptance(usual, usual.ready_at)).toBeCloseTo(25, 1);

    expect((await put('{"minutes":241}').expect(400)).body.error.details).toEqual([{ field: 'minutes', value: 241, reason: 'must be an integer from 0 to 240' }]);
    expect((await put('{}').expect(400)).body.error.details).toEqual([{ field: 'minutes', reason: 'is required' }]);
    await put('{"minutes":5}', slowKitchen.apiKey).expect(404);
    await put('{"minutes":null}').expect(200, { minutes: null, defaultMinutes: SYSTEM_DEFAULT_MINUTES });
    const system = await stored((await post(orderBody()).expect(202)).body.orderId);
    expect(minutesAfterAcceptance(system, system.ready_at)).toBeCloseTo(SYSTEM_DEFAULT_MINUTES, 1);
  });

  it('refuses cooking times that are not whole minutes from 0 to 240, naming the field and value', async () => {
    for (const value of [-1, 241, 12.5, '20', true]) {
      expect(await refused(orderBody({ cookingMinutes: value }), 'cookingMinutes')).toEqual({
        field: 'cookingMinutes',
        value,
        reason: 'must be an integer from 0 to 240',
      });
    }
    for (const value of [0, 361, '45']) await refused(orderBody({ promisedMinutes: value }), 'promisedMinutes');
  });

  it('refuses instants without an offset, impossible dates and other strings', async () => {
    for (const value of ['2026-12-06T12:30:00', '12:30', '2026-02-30T12:00:00+09:00', '2026-12-06 12:30:00Z', 1765000000000]) {
      const error = await refused(orderBody({ readyAt: value }), 'readyAt');
      expect(error).toEqual({ field: 'readyAt', value, reason: expect.stringContaining('ISO 8601 instant with its offset') });
    }
  });

  it('refuses a ready time in the past beyond 5 minutes or more than 240 minutes ahead, and a promise more than 360 ahead', async () => {
    const at = (minutes: number) => new Date(Date.now() + minutes * MINUTE).toISOString();
    expect((await refused(orderBody({ readyAt: at(-10) }), 'readyAt')).reason).toMatch(/in the past: at most 5 minutes/);
    expect((await refused(orderBody({ readyAt: at(300) }), 'readyAt')).reason).toMatch(/too far ahead: at most 240 minutes/);
    expect((await refused(orderBody({ promisedAt: at(-10) }), 'promisedAt')).reason).toMatch(/in the past/);
    expect((await refused(orderBody({ promisedAt: at(400) }), 'promisedAt')).reason).toMatch(/at most 360 minutes/);
    // A ready time a moment ago is a clock's difference, or food already waiting: taken.
    await post(orderBody({ readyAt: at(-2) })).expect(202);
  });

  it('refuses a time sent both ways, naming the conflict', async () => {
    const readyAt = new Date(Date.now() + 20 * MINUTE).toISOString();
    expect(await refused(orderBody({ cookingMinutes: 20, readyAt }), 'readyAt')).toEqual({
      field: 'readyAt',
      value: readyAt,
      reason: 'cannot be sent together with cookingMinutes (20): send one',
    });
    const promisedAt = new Date(Date.now() + 50 * MINUTE).toISOString();
    expect((await refused(orderBody({ promisedMinutes: 50, promisedAt }), 'promisedAt')).reason).toContain('promisedMinutes');
  });

  it('refuses a promise earlier than the ready time sent with it', async () => {
    expect((await refused(orderBody({ cookingMinutes: 30, promisedMinutes: 20 }), 'promisedMinutes')).reason).toContain('before the food is ready');
    const readyAt = new Date(Date.now() + 40 * MINUTE).toISOString();
    const promisedAt = new Date(Date.now() + 30 * MINUTE).toISOString();
    expect(await refused(orderBody({ readyAt, promisedAt }), 'promisedAt')).toMatchObject({ value: promisedAt });
  });
});
