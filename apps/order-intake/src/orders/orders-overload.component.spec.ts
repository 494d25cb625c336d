import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { AppConfig } from '#config';
import { ConnectionCap, LoadShedder, startService } from '#platform';
import { createTestDatabase, queryRows } from '../../../../test/support/database.js';
import { testConfig } from '../../../../test/support/config.js';
import { eventually } from '../../../../test/support/eventually.js';
import { slowClient, trickleUntilClosed, type SlowClient } from '../../../../test/support/slow-client.js';
import { IntakeModule } from '../intake.module.js';
import { provisionRestaurant, type ProvisionedRestaurant } from '../restaurants/restaurants.provisioning.js';
import { webhookHeaders } from '../webhooks/webhook-signature.js';

const RESTAURANT = { name: '을지로 칼국수', address: '서울 중구 을지로 100', lng: 126.9882, lat: 37.5662 };

function orderBody(): string {
  return JSON.stringify({
    externalOrderId: `pos-${randomUUID()}`,
    dropoff: { address: '서울 종로구 세종대로 172', lng: 126.9769, lat: 37.5759 },
    items: [{ name: '칼국수', quantity: 1, unitPrice: 9000 }],
    orderAmount: 9000,
  });
}

/** Intake started with its real module on a fresh database and the given limits. */
async function startIntake(env: Record<string, string>) {
  const db = await createTestDatabase();
  const config: AppConfig = await testConfig(env);
  const app = await startService({ service: 'intake', module: IntakeModule.forRoot(config, db.url), config, bodyParser: false });
  const restaurant = await provisionRestaurant(app.get(DataSource), { agencyId: randomUUID(), ...RESTAURANT });
  const base = `http://127.0.0.1:${config.httpPorts.intake}`;
  const ordersPath = `/v1/restaurants/${restaurant.restaurantId}/orders`;
  const send = async (body = orderBody()) => {
    const response = await fetch(`${base}${ordersPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...webhookHeaders(restaurant.webhookSecret, body) },
      body,
    });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as any };
  };
  return { db, config, app, restaurant, base, ordersPath, send, close: async () => (await app.close(), await db.drop()) };
}

describe('order intake over its limits (component, real PostgreSQL)', () => {
  describe('with every place for requests in progress taken', () => {
    let intake: Awaited<ReturnType<typeof startIntake>>;
    let locker: pg.Client;

    beforeAll(async () => {
      intake = await startIntake({ INTAKE_MAX_IN_FLIGHT: '2' });
      locker = new pg.Client({ connectionString: intake.db.url });
      await locker.connect();
    });

    afterAll(async () => {
      await locker?.end().catch(() => undefined);
      await intake?.close();
    });

    it('refuses a new order at once with 503 OVERLOADED and Retry-After, keeps /health answering, and takes orders again after', async () => {
      // Two orders held in their transaction: the table is locked, so both are being worked on, not queued.
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE intake.orders IN EXCLUSIVE MODE');
      const held = [intake.send(), intake.send()];
      const shedder = intake.app.get(LoadShedder);
      await eventually(async () => (shedder.inFlight === 2 ? true : undefined), 'two orders in progress');

      const refused = await intake.send();
      expect(refused.status).toBe(503);
      expect(refused.body.error).toMatchObject({ code: 'OVERLOADED', details: { retryAfterSeconds: expect.any(Number) } });
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(refused.retryAfter)).toBe(refused.body.error.details.retryAfterSeconds);
      const health = await fetch(`${intake.base}/health`);
      expect(health.status).toBe(200);
      expect(shedder).toMatchObject({ inFlight: 2, shed: 1 });
      // Refused before anything was stored.
      expect(await queryRows(intake.db.url, 'SELECT count(*)::int AS n FROM intake.webhook_receipts')).toEqual([{ n: 0 }]);

      await locker.query('COMMIT');
      expect((await Promise.all(held)).map((answer) => answer.status)).toEqual([202, 202]);
      expect((await intake.send()).status).toBe(202);
      expect(shedder.inFlight).toBe(0);
    });
  });

  describe('with slow clients', () => {
    let intake: Awaited<ReturnType<typeof startIntake>>;
    const slow: SlowClient[] = [];

    beforeAll(async () => {
      intake = await startIntake({
        INTAKE_MAX_IN_FLIGHT: '10',
        HTTP_MAX_CONNECTIONS: '30',
        HTTP_SLOW_CLIENT_MS: '300',
        HTTP_HEADERS_TIMEOUT_MS: '1000',
        HTTP_REQUEST_TIMEOUT_MS: '2000',
      });
    });

    afterAll(async () => {
      for (const client of slow) client.destroy();
      await intake?.close();
    });

    it('answers a body still trickling in at the request timeout with 408 and closes its connection', async () => {
      const body = orderBody();
      const client = await slowClient(intake.config.httpPorts.intake, intake.ordersPath, {
        headers: { 'content-type': 'application/json', ...webhookHeaders(intake.restaurant.webhookSecret, body) },
        contentLength: Buffer.byteLength(body),
        firstBytes: body.slice(0, 10),
      });
      slow.push(client);
      // A byte every 100 ms would take the whole body over 10 s.
      let sent = 10;
      await trickleUntilClosed(client, () => (sent < body.length ? body[sent++] : undefined));
      expect(client.received).toMatch(/^HTTP\/1\.1 408 /);
      expect(sent).toBeLessThan(body.length);
      expect(await queryRows(intake.db.url, 'SELECT count(*)::int AS n FROM intake.orders')).toEqual([{ n: 0 }]);
    });

    it('takes a real order while more slow clients than the connection cap hold their requests open', async () => {
      const port = intake.config.httpPorts.intake;
      const cap = intake.app.get(ConnectionCap);
      const shedder = intake.app.get(LoadShedder);
      const headers = { 'content-type': 'application/json', 'webhook-id': 'msg_slow', 'webhook-timestamp': '1', 'webhook-signature': 'v1,x' };
      // Half send a body that never ends, half never finish their headers: 40 in all, against a cap of 30.
      for (let i = 0; i < 40; i++) {
        slow.push(await slowClient(port, intake.ordersPath, i % 2 === 0 ? { headers } : { headers, headersOnly: true }));
      }
      await eventually(async () => (cap.open <= 30 && slow.filter((c) => !c.closed).length >= 20 ? true : undefined), 'the cap to hold');
      // Once they have been slow a while, each real client takes the place of the oldest.
      await new Promise((resolve) => setTimeout(resolve, 400));
      for (let i = 0; i < 5; i++) expect((await intake.send()).status).toBe(202);
      expect(cap.open).toBeLessThanOrEqual(30);
      expect(cap.evicted).toBeGreaterThan(0);
      // Those still sending hold no place among the requests in progress.
      expect(shedder.inFlight).toBe(0);
    });
  });
});
