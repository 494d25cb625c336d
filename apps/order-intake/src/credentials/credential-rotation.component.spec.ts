import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { ClientProxyFactory, type ClientProxy } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { lastValueFrom } from 'rxjs';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { PATTERNS, type AgencyKeyRotatedEvent, type AgencyRegisteredEvent } from '#contracts';
import { clientOptions } from '#messaging';
import { hashSecret, newSecret, startService } from '#platform';
import { createTestDatabase, queryRows } from '../../../../test/support/database.js';
import { testConfig } from '../../../../test/support/config.js';
import { eventually } from '../../../../test/support/eventually.js';
import { startCallbackReceiver, verifies } from '../callbacks/testing/callback-receiver.js';
import { publishStatus, putCallbackUrl } from '../callbacks/testing/callback-test-kit.js';
import { orderBody } from '../../test/intake-harness.js';
import { IntakeModule } from '../intake.module.js';
import { provisionRestaurant, type ProvisionedRestaurant } from '../restaurants/restaurants.provisioning.js';
import { signWebhook, webhookHeaders } from '../webhooks/webhook-signature.js';

const RESTAURANT = { name: '을지로 칼국수', address: '서울 중구 을지로 100', lng: 126.9882, lat: 37.5662 };
const HOUR_MS = 3_600_000;

/**
 * Rotating a restaurant's webhook secret and API key with an overlap window, and following an agency's key
 * rotation, on the real intake module and PostgreSQL. "After the window" is reached by moving the window's end into
 * the past in the database, as the clock would; the restaurant cache (10 s) is waited out, not slept through.
 */
describe('rotating credentials on order-intake (component, real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let app: INestApplication;
  let client: ClientProxy;
  let agency: { agencyId: string; key: string };

  async function announceAgency(): Promise<{ agencyId: string; key: string }> {
    const { secret } = newSecret('ak_');
    const event: AgencyRegisteredEvent = { eventId: randomUUID(), occurredAt: new Date().toISOString(), agencyId: randomUUID(), name: '상황실', apiKeyHash: hashSecret(secret) };
    await lastValueFrom(client.send(PATTERNS.AGENCY_REGISTERED_FOR_INTAKE, event));
    return { agencyId: event.agencyId, key: secret };
  }

  const newRestaurant = (agencyId = agency.agencyId) => provisionRestaurant(app.get(DataSource), { agencyId, ...RESTAURANT });

  /** Sends a fresh order signed with exactly this `webhook-signature` value (or signed with `secret`). */
  function sendOrder(restaurant: ProvisionedRestaurant, signed: { secret: string | string[] } | { signature: (id: string, timestamp: number, body: string) => string }) {
    const body = JSON.stringify(orderBody());
    const id = `msg_${randomUUID()}`;
    const timestamp = Math.floor(Date.now() / 1000);
    const headers =
      'secret' in signed
        ? webhookHeaders(signed.secret, body, { id, timestamp })
        : { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signed.signature(id, timestamp, body) };
    return request(app.getHttpServer()).post(`/v1/restaurants/${restaurant.restaurantId}/orders`).set('content-type', 'application/json').set(headers).send(body);
  }

  const rotate = (restaurant: ProvisionedRestaurant, what: 'webhook-secret' | 'api-key', key: string, body?: unknown) => {
    const call = request(app.getHttpServer()).post(`/v1/restaurants/${restaurant.restaurantId}/${what}/rotate`).set('authorization', `Bearer ${key}`);
    return body === undefined ? call.send() : call.set('content-type', 'application/json').send(JSON.stringify(body));
  };

  const credentials = (restaurant: ProvisionedRestaurant, key: string) =>
    request(app.getHttpServer()).get(`/v1/restaurants/${restaurant.restaurantId}/credentials`).set('authorization', `Bearer ${key}`);

  /** Ends every overlap window of the restaurant, as the clock would. */
  const endWindows = (restaurantId: string) =>
    queryRows(
      db.url,
      `UPDATE intake.restaurants SET previous_webhook_secret_until = CASE WHEN previous_webhook_secret IS NOT NULL THEN now() - interval '1 second' END,
         previous_api_key_until = CASE WHEN previous_api_key_hash IS NOT NULL THEN now() - interval '1 second' END WHERE id = $1`,
      [restaurantId],
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    // The callback receiver listens on loopback, which callbacks may reach only with this test-only setting.
    const config = await testConfig({ CALLBACK_ALLOW_PRIVATE_NETWORKS: 'true', CALLBACK_POLL_INTERVAL_MS: '20' });
    app = await startService({ service: 'intake', module: IntakeModule.forRoot(config, db.url), config, bodyParser: false });
    client = ClientProxyFactory.create(clientOptions(config, 'intake'));
    agency = await announceAgency();
  });

  afterAll(async () => {
    await client?.close();
    await app?.close();
    await db?.drop();
  });

  it('keeps the old webhook secret verifying during the window, with either or both signatures, and refuses it with a reason after', async () => {
    const restaurant = await newRestaurant();
    const old = restaurant.webhookSecret;
    const rotated = await rotate(restaurant, 'webhook-secret', restaurant.apiKey).expect(200);
    expect(rotated.body).toEqual({
      credential: 'webhook-secret',
      id: restaurant.restaurantId,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
      rotatedAt: expect.any(String),
      previousValidUntil: expect.any(String),
    });
    expect(Date.parse(rotated.body.previousValidUntil) - Date.parse(rotated.body.rotatedAt)).toBe(24 * HOUR_MS);
    const fresh = rotated.body.secret as string;
    expect(fresh).not.toBe(old);

    await sendOrder(restaurant, { secret: old }).expect(202);
    await sendOrder(restaurant, { secret: fresh }).expect(202);
    await sendOrder(restaurant, { secret: [old, fresh] }).expect(202);
    const wrong = 'v1,' + Buffer.alloc(32, 9).toString('base64');
    await sendOrder(restaurant, { signature: (id, timestamp, body) => `${wrong} ${signWebhook(fresh, { id, timestamp, body })}` }).expect(202);

    const state = await credentials(restaurant, restaurant.apiKey).expect(200);
    expect(state.body).toEqual({
      restaurantId: restaurant.restaurantId,
      webhookSecret: { rotatedAt: rotated.body.rotatedAt, previousValidUntil: rotated.body.previousValidUntil, previousValid: true },
      apiKey: { rotatedAt: null, previousValidUntil: null, previousValid: false },
    });

    await endWindows(restaurant.restaurantId);
    const refused = await eventually(
      async () => {
        const answer = await sendOrder(restaurant, { secret: old });
        return answer.status === 401 && answer;
      },
      'the old secret to be refused once its window ended',
      30_000,
    );
    expect(refused.body.error).toMatchObject({
      code: 'SIGNATURE_INVALID',
      message: expect.stringMatching(/^this webhook secret was replaced and stopped working at .+: use the new one$/),
      details: { replacedUntil: expect.stringMatching(/Z$/) },
    });
    // Both signatures still listed: the new one verifies, so the order is taken.
    await sendOrder(restaurant, { secret: [old, fresh] }).expect(202);
    await sendOrder(restaurant, { secret: fresh }).expect(202);
    // A secret that was never the restaurant's is told only that no signature verifies.
    const stranger = await sendOrder(restaurant, { secret: 'whsec_' + Buffer.alloc(32, 3).toString('base64') }).expect(401);
    expect(stranger.body.error.message).toBe('no valid v1 signature for this body');
    expect((await credentials(restaurant, restaurant.apiKey).expect(200)).body.webhookSecret.previousValid).toBe(false);

    const records = await queryRows(db.url, 'SELECT credential, rotated_by FROM intake.credential_rotations WHERE restaurant_id = $1', [restaurant.restaurantId]);
    expect(records).toEqual([{ credential: 'webhook-secret', rotated_by: 'restaurant API key' }]);
  });

  it('revokes the old secret at once with overlapHours 0, and drops the oldest at once on a second rotation within the window', async () => {
    const restaurant = await newRestaurant();
    const first = restaurant.webhookSecret;
    await sendOrder(restaurant, { secret: first }).expect(202);
    const second = (await rotate(restaurant, 'webhook-secret', restaurant.apiKey, { overlapHours: 2 }).expect(200)).body;
    expect(Date.parse(second.previousValidUntil) - Date.parse(second.rotatedAt)).toBe(2 * HOUR_MS);
    const third = (await rotate(restaurant, 'webhook-secret', restaurant.apiKey, { overlapHours: 1.5 }).expect(200)).body;
    await sendOrder(restaurant, { secret: first }).expect(401);
    await sendOrder(restaurant, { secret: second.secret }).expect(202);
    await sendOrder(restaurant, { secret: third.secret }).expect(202);

    const revoked = (await rotate(restaurant, 'webhook-secret', restaurant.apiKey, { overlapHours: 0 }).expect(200)).body;
    expect(revoked.previousValidUntil).toBe(revoked.rotatedAt);
    const refused = await sendOrder(restaurant, { secret: third.secret }).expect(401);
    expect(refused.body.error.message).toContain('this webhook secret was replaced and stopped working');
    await sendOrder(restaurant, { secret: revoked.secret }).expect(202);
  });

  it('keeps the old API key working during the window and refuses it after, saying why; overlapHours 0 refuses it at once', async () => {
    const restaurant = await newRestaurant();
    const rotated = (await rotate(restaurant, 'api-key', restaurant.apiKey, { overlapHours: 48 }).expect(200)).body;
    expect(rotated).toMatchObject({ credential: 'restaurant-key', id: restaurant.restaurantId, secret: expect.stringMatching(/^rk_/) });
    expect(Date.parse(rotated.previousValidUntil) - Date.parse(rotated.rotatedAt)).toBe(48 * HOUR_MS);
    const [stored] = await queryRows<{ api_key_hash: string }>(db.url, 'SELECT api_key_hash FROM intake.restaurants WHERE id = $1', [restaurant.restaurantId]);
    expect(stored.api_key_hash).toBe(hashSecret(rotated.secret));

    expect((await credentials(restaurant, restaurant.apiKey).expect(200)).body.apiKey).toEqual({ rotatedAt: rotated.rotatedAt, previousValidUntil: rotated.previousValidUntil, previousValid: true });
    await credentials(restaurant, rotated.secret).expect(200);

    await endWindows(restaurant.restaurantId);
    const refused = await credentials(restaurant, restaurant.apiKey).expect(401);
    expect(refused.body.error).toEqual({
      code: 'UNAUTHENTICATED',
      message: expect.stringMatching(/^this API key was replaced and stopped working at \S+Z: use the new one$/),
      details: { replacedUntil: expect.any(String) },
    });
    // A till left on the old key is not guessing: past AUTH_FAILURES_PER_ADDRESS (10) refusals, the new key still works from the same address.
    for (let i = 0; i < 12; i++) await credentials(restaurant, restaurant.apiKey).expect(401);
    await credentials(restaurant, rotated.secret).expect(200);

    const revoked = (await rotate(restaurant, 'api-key', rotated.secret, { overlapHours: 0 }).expect(200)).body;
    await credentials(restaurant, rotated.secret).expect(401);
    await credentials(restaurant, revoked.secret).expect(200);
  });

  it('refuses a bad overlap naming the field, and a wrong or missing key, changing nothing', async () => {
    const restaurant = await newRestaurant();
    for (const overlapHours of [-1, 169, 'x', true]) {
      const answer = await rotate(restaurant, 'webhook-secret', restaurant.apiKey, { overlapHours }).expect(400);
      expect(answer.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'overlapHours', value: overlapHours, reason: 'must be a number of hours from 0 to 168' })] });
    }
    await rotate(restaurant, 'webhook-secret', restaurant.apiKey, '{"overlapHours":' as unknown as object).expect(400);
    await rotate(restaurant, 'api-key', 'rk_not-a-key').expect(401);
    const other = await newRestaurant();
    expect((await rotate(restaurant, 'api-key', other.apiKey).expect(404)).body.error.code).toBe('RESTAURANT_NOT_FOUND');
    await sendOrder(restaurant, { secret: restaurant.webhookSecret }).expect(202);
    expect(await queryRows(db.url, 'SELECT 1 FROM intake.credential_rotations WHERE restaurant_id = $1', [restaurant.restaurantId])).toEqual([]);
  });

  it("lets an agency rotate its own restaurants' credentials with its key, and no other agency's", async () => {
    const restaurant = await newRestaurant();
    const other = await announceAgency();
    const path = (agencyId: string, what: string) => `/v1/agencies/${agencyId}/restaurants/${restaurant.restaurantId}/${what}/rotate`;
    const rotated = await request(app.getHttpServer()).post(path(agency.agencyId, 'webhook-secret')).set('authorization', `Bearer ${agency.key}`).send().expect(200);
    expect(rotated.body).toMatchObject({ credential: 'webhook-secret', id: restaurant.restaurantId });
    await sendOrder(restaurant, { secret: rotated.body.secret }).expect(202);
    await sendOrder(restaurant, { secret: restaurant.webhookSecret }).expect(202);
    const key = await request(app.getHttpServer()).post(path(agency.agencyId, 'api-key')).set('authorization', `Bearer ${agency.key}`).send().expect(200);
    await credentials(restaurant, key.body.secret).expect(200);

    expect((await request(app.getHttpServer()).post(path(agency.agencyId, 'api-key')).set('authorization', `Bearer ${other.key}`).send().expect(404)).body.error.code).toBe('AGENCY_NOT_FOUND');
    expect((await request(app.getHttpServer()).post(path(other.agencyId, 'api-key')).set('authorization', `Bearer ${other.key}`).send().expect(404)).body.error.code).toBe('RESTAURANT_NOT_FOUND');
    const records = await queryRows(db.url, 'SELECT credential, rotated_by FROM intake.credential_rotations WHERE restaurant_id = $1 ORDER BY id', [restaurant.restaurantId]);
    expect(records).toEqual([
      { credential: 'webhook-secret', rotated_by: 'agency API key' },
      { credential: 'api-key', rotated_by: 'agency API key' },
    ]);
  });

  it("follows dispatch's rotation of an agency key: both keys during the window, only the new after, an older rotation ignored", async () => {
    const subject = await announceAgency();
    const restaurant = await newRestaurant(subject.agencyId);
    const next = newSecret('ak_');
    const rotation = (keyVersion: number, apiKeyHash: string, until: Date): AgencyKeyRotatedEvent => ({
      eventId: randomUUID(),
      occurredAt: new Date().toISOString(),
      agencyId: subject.agencyId,
      apiKeyHash,
      previousApiKeyHash: hashSecret(subject.key),
      previousValidUntil: until.toISOString(),
      keyVersion,
    });
    const rotateAs = (key: string) => request(app.getHttpServer()).post(`/v1/agencies/${subject.agencyId}/restaurants/${restaurant.restaurantId}/api-key/rotate`).set('authorization', `Bearer ${key}`).send();

    await lastValueFrom(client.send(PATTERNS.AGENCY_KEY_ROTATED_FOR_INTAKE, rotation(2, next.hash, new Date(Date.now() + HOUR_MS))));
    await rotateAs(subject.key).expect(200);
    await rotateAs(next.secret).expect(200);
    // Version 1 arriving late (or again) changes nothing.
    await lastValueFrom(client.send(PATTERNS.AGENCY_KEY_ROTATED_FOR_INTAKE, rotation(1, hashSecret('ak_stale'), new Date(Date.now() - HOUR_MS))));
    await rotateAs(next.secret).expect(200);

    await lastValueFrom(client.send(PATTERNS.AGENCY_KEY_ROTATED_FOR_INTAKE, { ...rotation(3, next.hash, new Date(Date.now() - 1000)), previousApiKeyHash: hashSecret(subject.key) }));
    await rotateAs(subject.key).expect(401);
    await rotateAs(next.secret).expect(200);
  });

  it('signs status callbacks with both secrets during the window, so the restaurant verifies with either, and with the new one only after', async () => {
    const restaurant = await newRestaurant();
    const receiver = await startCallbackReceiver(restaurant.webhookSecret);
    try {
      await putCallbackUrl(app, restaurant, receiver.url).expect(200);
      const fresh = (await rotate(restaurant, 'webhook-secret', restaurant.apiKey).expect(200)).body.secret as string;
      const order = await sendOrder(restaurant, { secret: fresh }).expect(202);
      await publishStatus(client, order.body.orderId, 'quoted');
      const during = await eventually(() => receiver.received[0], 'the callback sent during the window');
      expect(during.signature.split(' ')).toHaveLength(2);
      expect(during.verified).toBe(true);
      expect(verifies(fresh, during.webhookId, during.timestamp, during.body, during.signature)).toBe(true);

      await endWindows(restaurant.restaurantId);
      await publishStatus(client, order.body.orderId, 'assigned', { rider: { id: randomUUID(), name: '김배달' } });
      const after = await eventually(() => receiver.received[1], 'the callback sent after the window');
      expect(after.signature.split(' ')).toHaveLength(1);
      expect(after.verified).toBe(false);
      expect(verifies(fresh, after.webhookId, after.timestamp, after.body, after.signature)).toBe(true);
    } finally {
      await receiver.close();
    }
  });
});
