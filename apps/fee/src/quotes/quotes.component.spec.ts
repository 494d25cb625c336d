import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { lastValueFrom } from 'rxjs';
import request from 'supertest';
import type { AppConfig } from '#config';
import { PATTERNS, type FeeQuote } from '#contracts';
import { queryRows } from '../../../../test/support/database.js';
import { startFeeService, type TestFeeService } from '../../test/fee-service.js';
import { registerAgency, type TestAgency } from '../../test/agencies.js';

const cityHall = { lng: 126.978, lat: 37.5665 };
const gwanghwamun = { lng: 126.9769, lat: 37.5759 };

describe('fee quotes (component, real PostgreSQL)', () => {
  let fee: TestFeeService;
  let db: TestFeeService['db'];
  let config: AppConfig;
  let app: INestApplication;
  let client: ClientProxy;
  let agency: TestAgency;

  beforeAll(async () => {
    fee = await startFeeService();
    ({ db, config, app, client, agency } = fee);
  });

  afterAll(async () => {
    await fee?.close();
  });

  it('prices a trip over HTTP with the Turf estimate and records the quote', async () => {
    const response = await request(app.getHttpServer())
      .post('/v1/quotes')
      .set('Authorization', agency.authorization)
      .send({ agencyId: agency.agencyId, pickup: cityHall, dropoff: gwanghwamun })
      .expect(200);
    const quote = response.body as FeeQuote;
    // ~1.05 km straight line x 1.3 = ~1.36 km: inside the base distance.
    expect(quote).toMatchObject({ provider: 'turf', estimated: true, fee: { total: 3000, currency: 'KRW' } });
    expect(quote.distanceMeters).toBeGreaterThan(1300);
    expect(quote.distanceMeters).toBeLessThan(1420);
    const rows = await queryRows(db.url, 'SELECT provider, estimated, total, detour_factor FROM fee.quotes WHERE id = $1', [quote.quoteId]);
    expect(rows).toEqual([{ provider: 'turf', estimated: true, total: 3000, detour_factor: '1.30' }]);
  });

  it('answers fee.quote over the message transport', async () => {
    const gangnam = { lng: 127.0276, lat: 37.4979 };
    const quote = await lastValueFrom(client.send<FeeQuote>(PATTERNS.FEE_QUOTE, { agencyId: agency.agencyId, pickup: cityHall, dropoff: gangnam, orderId: 'order-1' }));
    expect(quote.fee.items[0]).toMatchObject({ code: 'BASE', amount: 3000 });
    expect(quote.fee.total).toBeGreaterThan(10_000);
    expect(await queryRows(db.url, "SELECT count(*)::int AS n FROM fee.quotes WHERE order_id = 'order-1'")).toEqual([{ n: 1 }]);
  });

  it('rejects swapped coordinates naming each field, and stores nothing', async () => {
    const before = await queryRows(db.url, 'SELECT count(*)::int AS n FROM fee.quotes');
    const response = await request(app.getHttpServer())
      .post('/v1/quotes')
      .set('Authorization', agency.authorization)
      .send({ agencyId: agency.agencyId, pickup: { lng: 37.5665, lat: 126.978 }, dropoff: gwanghwamun })
      .expect(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
    expect(response.body.error.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'pickup.lng', value: 37.5665, reason: expect.stringContaining('swapped') }),
        expect.objectContaining({ field: 'pickup.lat', value: 126.978 }),
      ]),
    );
    expect(await queryRows(db.url, 'SELECT count(*)::int AS n FROM fee.quotes')).toEqual(before);
  });

  describe('over HTTP, only with the agency key, for that agency', () => {
    const count = async () => (await queryRows<{ n: number }>(db.url, 'SELECT count(*)::int AS n FROM fee.quotes'))[0].n;
    const ask = (agencyId: string, authorization?: string) => {
      const post = request(app.getHttpServer()).post('/v1/quotes');
      if (authorization) post.set('Authorization', authorization);
      return post.send({ agencyId, pickup: cityHall, dropoff: gwanghwamun });
    };

    it('refuses a quote with no key or an unknown key, pricing and storing nothing', async () => {
      const before = await count();
      for (const authorization of [undefined, 'Bearer ak_nope', 'Basic YWRtaW46YWRtaW4=']) {
        const response = await ask(agency.agencyId, authorization).expect(401);
        expect(response.body.error.code).toBe('UNAUTHENTICATED');
        expect(response.body.error).not.toHaveProperty('details');
        expect(JSON.stringify(response.body)).not.toMatch(/riderPay|COMMISSION|total/);
      }
      expect(await count()).toBe(before);
    });

    it("refuses another agency's quote as if that agency did not exist", async () => {
      const other = await registerAgency(client);
      const before = await count();
      const theirs = await ask(other.agencyId, agency.authorization).expect(404);
      const nobody = await ask(randomUUID(), agency.authorization).expect(404);
      expect(theirs.body.error.code).toBe('AGENCY_NOT_FOUND');
      expect(nobody.body.error.code).toBe('AGENCY_NOT_FOUND');
      // The same answer either way, but for the id asked about: nothing tells an existing agency from none.
      expect(theirs.body.error.message.replace(other.agencyId, 'ID')).toBe(nobody.body.error.message.replace(/[0-9a-f-]{36}/, 'ID'));
      expect(await count()).toBe(before);
      // Its own key opens it.
      expect((await ask(other.agencyId, other.authorization).expect(200)).body.riderPay.total).toBeGreaterThan(0);
    });
  });

  it('rejects a bad fee.quote payload with the same field errors', async () => {
    await expect(lastValueFrom(client.send(PATTERNS.FEE_QUOTE, { agencyId: agency.agencyId, pickup: cityHall }))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [expect.objectContaining({ field: 'dropoff' })],
    });
  });

  it('reports its database, its own transport listener, its map providers and hearing tariff changes healthy', async () => {
    const response = await request(app.getHttpServer()).get('/health').expect(200);
    expect(response.body).toMatchObject({
      status: 'ok',
      checks: [
        expect.objectContaining({ name: 'database', status: 'up' }),
        expect.objectContaining({ name: 'transport:fee', status: 'up', transport: 'tcp', port: config.rpcPorts.fee }),
        // No keys configured: Kakao and Naver are skipped, and the Turf estimate answers.
        expect.objectContaining({
          name: 'map-providers',
          status: 'up',
          providers: expect.arrayContaining([
            expect.objectContaining({ provider: 'kakao', capability: 'routing', state: 'no_credentials' }),
            expect.objectContaining({ provider: 'turf', capability: 'routing', state: 'closed' }),
          ]),
        }),
        expect.objectContaining({ name: 'tariff-changes', status: 'up', listening: true }),
      ],
    });
  });
});
