import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '#database';
import { startService } from '#platform';
import { queryRows } from '../../../../test/support/database.js';
import { testConfig } from '../../../../test/support/config.js';
import { eventually } from '../../../../test/support/eventually.js';
import { testPorts } from '../../../../test/support/ports.js';
import { IntakeModule } from '../intake.module.js';
import { provisionRestaurant, type ProvisionedRestaurant } from '../restaurants/restaurants.provisioning.js';
import { webhookHeaders } from '../webhooks/webhook-signature.js';

/**
 * Intake on a PostgreSQL of its own, which the test stops and starts again: while it is down every order is
 * answered 503 DATABASE_UNAVAILABLE with Retry-After (never 500) and nothing is half-written; once it is back, the
 * same service takes orders again without a restart.
 */
describe('order intake while its database is down (component, a private embedded PostgreSQL)', () => {
  let dataDir: string;
  let port: number;
  let db: EmbeddedDatabase;
  let app: INestApplication;
  let base: string;
  let restaurant: ProvisionedRestaurant;

  const send = async (webhookId = `msg_${randomUUID()}`) => {
    const body = JSON.stringify({
      externalOrderId: `pos-${randomUUID()}`,
      dropoff: { address: '서울 종로구 세종대로 172', lng: 126.9769, lat: 37.5759 },
      items: [{ name: '칼국수', quantity: 1, unitPrice: 9000 }],
      orderAmount: 9000,
    });
    const response = await fetch(`${base}/v1/restaurants/${restaurant.restaurantId}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...webhookHeaders(restaurant.webhookSecret, body, { id: webhookId }) },
      body,
    });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as any };
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'baecha-db-down-'));
    // Restarted on this port below, after the pool has been dialling it: a port of the test's own (see testPorts).
    [port] = await testPorts(1);
    db = await startEmbeddedPostgres({ dataDir, port, database: 'intake_down' });
    const config = await testConfig({ DATABASE_RETRY_AFTER_SECONDS: '7' });
    app = await startService({ service: 'intake', module: IntakeModule.forRoot(config, db.url), config, bodyParser: false });
    base = `http://127.0.0.1:${config.httpPorts.intake}`;
    restaurant = await provisionRestaurant(app.get(DataSource), {
      agencyId: randomUUID(),
      name: '을지로 칼국수',
      address: '서울 중구 을지로 100',
      lng: 126.9882,
      lat: 37.5662,
    });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await db?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('answers 503 DATABASE_UNAVAILABLE with Retry-After while the database is down, and 202 again once it is back', async () => {
    expect((await send()).status).toBe(202);

    await db.stop();
    const refused = [await send('msg_during_outage_1'), await send('msg_during_outage_2')];
    for (const answer of refused) {
      expect(answer).toEqual({
        status: 503,
        retryAfter: '7',
        body: { error: { code: 'DATABASE_UNAVAILABLE', message: expect.any(String), details: { retryAfterSeconds: 7 } } },
      });
    }
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(503);

    db = await startEmbeddedPostgres({ dataDir, port, database: 'intake_down' });
    // The pool makes new connections by itself; the first answers after the restart may still see the old ones die.
    await eventually(async () => ((await send()).status === 202 ? true : undefined), 'an order accepted again', 30_000);
    // The restaurant's retry of a refused order, under the same webhook-id, is taken: nothing of it was written before.
    expect((await send('msg_during_outage_1')).status).toBe(202);
    expect(await queryRows(db.url, "SELECT webhook_id FROM intake.webhook_receipts WHERE webhook_id LIKE 'msg_during_outage_%'")).toEqual([
      { webhook_id: 'msg_during_outage_1' },
    ]);
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });
});
