import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { lastValueFrom } from 'rxjs';
import request from 'supertest';
import { PATTERNS, readFeeQuoteBatch, type FeeQuote, type FeeQuoteBatchReply, type FeeQuoteResult } from '#contracts';
import { queryRows } from '../../../../test/support/database.js';
import { registerAgency, type TestAgency } from '../../test/agencies.js';
import { startFeeService, type TestFeeService } from '../../test/fee-service.js';

const cityHall = { lng: 126.978, lat: 37.5665 };
/** The i-th of distinct drop-offs east of City Hall, so each quote can be told by its row. */
const dropoff = (i: number) => ({ lng: Math.round((126.98 + i * 0.0005) * 1e6) / 1e6, lat: 37.57 });

/** Batched quotes over HTTP (`POST /v1/quotes/batch`) and the `fee.quote-batch` message: each answered on its own. */
describe('batched fee quotes (component, real PostgreSQL)', () => {
  let fee: TestFeeService;
  let app: INestApplication;
  let client: ClientProxy;
  let agency: TestAgency;

  beforeAll(async () => {
    fee = await startFeeService();
    ({ app, client, agency } = fee);
  });

  afterAll(async () => {
    await fee?.close();
  });

  const batch = (body: unknown, authorization = agency.authorization) =>
    request(app.getHttpServer()).post('/v1/quotes/batch').set('Authorization', authorization).send(body as object);
  const count = async () => (await queryRows<{ n: number }>(fee.db.url, 'SELECT count(*)::int AS n FROM fee.quotes'))[0].n;
  const rowsOf = (results: FeeQuoteResult[]) =>
    queryRows<{ id: string; dropoff_lng: number; n: number }>(
      fee.db.url,
      'SELECT id, dropoff_lng, count(*) OVER (PARTITION BY id)::int AS n FROM fee.quotes WHERE id = ANY($1)',
      [results.flatMap((r) => ('quote' in r ? [r.quote.quoteId] : []))],
    );

  it('answers 100 quotes in the order asked, each stored once', async () => {
    const before = await count();
    const asked = Array.from({ length: 100 }, (_, i) => ({ agencyId: agency.agencyId, pickup: cityHall, dropoff: dropoff(i), orderId: `batch-${i}` }));
    const answer = await batch({ quotes: asked }).expect(200);
    const { results } = answer.body as FeeQuoteBatchReply;

    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(results).toHaveLength(100);
    expect(results.every((r) => 'quote' in r)).toBe(true);
    // Stored as answered, the Korean labels included (the rows reach PostgreSQL as binary jsonb).
    const [last] = await queryRows(fee.db.url, 'SELECT items, rider_pay_items FROM fee.quotes WHERE id = $1', [(results[99] as { quote: { quoteId: string } }).quote.quoteId]);
    expect(last).toEqual({ items: (results[99] as { quote: FeeQuote }).quote.fee.items, rider_pay_items: (results[99] as { quote: FeeQuote }).quote.riderPay.items });
    expect(JSON.stringify(last)).toMatch(/[가-힣]/);
    const rows = new Map((await rowsOf(results)).map((row) => [row.id, row]));
    results.forEach((r, i) => {
      const row = rows.get((r as { quote: { quoteId: string } }).quote.quoteId)!;
      expect(row).toMatchObject({ dropoff_lng: asked[i].dropoff.lng, n: 1 });
    });
    // Farther drop-offs cost more, in the order asked.
    const distances = results.map((r) => (r as { quote: { distanceMeters: number } }).quote.distanceMeters);
    expect(distances).toEqual([...distances].sort((x, y) => x - y));
    expect(await count()).toBe(before + 100);
    expect(await queryRows(fee.db.url, "SELECT count(DISTINCT order_id)::int AS n FROM fee.quotes WHERE order_id LIKE 'batch-%'")).toEqual([{ n: 100 }]);
  });

  it("answers an invalid request, another agency's and one that cannot be priced each with its own error, and prices the rest", async () => {
    const other = await registerAgency(client);
    const before = await count();
    const { results } = (
      await batch({
        quotes: [
          { agencyId: agency.agencyId, pickup: cityHall, dropoff: dropoff(1) },
          { agencyId: agency.agencyId, pickup: { lng: 37.5665, lat: 126.978 }, dropoff: dropoff(2) },
          { agencyId: other.agencyId, pickup: cityHall, dropoff: dropoff(3) },
          'not a request',
          { agencyId: agency.agencyId, pickup: cityHall, dropoffAddress: '서울특별시 어딘가 없는길 999' },
          { agencyId: agency.agencyId, pickup: cityHall, dropoff: dropoff(5) },
        ],
      }).expect(200)
    ).body as FeeQuoteBatchReply;

    expect(results).toEqual([
      { quote: expect.objectContaining({ agencyId: agency.agencyId }) },
      { error: expect.objectContaining({ code: 'VALIDATION_FAILED', details: expect.arrayContaining([expect.objectContaining({ field: 'pickup.lng', value: 37.5665 })]) }) },
      { error: { code: 'AGENCY_NOT_FOUND', message: `no agency ${other.agencyId} for this API key` } },
      { error: expect.objectContaining({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: '(body)' })] }) },
      { error: expect.objectContaining({ code: 'NO_LOCATION', details: expect.objectContaining({ field: 'dropoffAddress' }) }) },
      { quote: expect.objectContaining({ agencyId: agency.agencyId }) },
    ]);
    const priced = results.filter((r) => 'quote' in r).length;
    expect(await count()).toBe(before + priced);
    expect((await rowsOf(results)).every((row) => row.n === 1)).toBe(true);
  });

  it('refuses more than 100 quotes, or none, with 400 naming the limit, and stores nothing', async () => {
    const before = await count();
    const many = Array.from({ length: 101 }, (_, i) => ({ agencyId: agency.agencyId, pickup: cityHall, dropoff: dropoff(i) }));
    const response = await batch({ quotes: many }).expect(400);
    expect(response.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'quotes', reason: expect.stringContaining('at most 100') })] });
    for (const body of [{ quotes: [] }, {}, { quotes: 'all of them' }, []]) {
      expect((await batch(body).expect(400)).body.error).toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    expect(await count()).toBe(before);
  });

  it('takes the agency key, like single quotes', async () => {
    const body = { quotes: [{ agencyId: agency.agencyId, pickup: cityHall, dropoff: dropoff(7) }] };
    expect((await request(app.getHttpServer()).post('/v1/quotes/batch').send(body).expect(401)).body.error.code).toBe('UNAUTHENTICATED');
    expect((await batch(body, 'Bearer ak_nope').expect(401)).body.error.code).toBe('UNAUTHENTICATED');
  });

  it('answers fee.quote-batch for any agencies, each result readable by readFeeQuoteBatch', async () => {
    const other = await registerAgency(client);
    const unknown = randomUUID();
    const asked = [
      { agencyId: other.agencyId, pickup: cityHall, dropoff: dropoff(10), orderId: 'message-1' },
      { agencyId: unknown, pickup: cityHall, dropoff: dropoff(11) },
      { agencyId: agency.agencyId, pickup: cityHall },
      { agencyId: agency.agencyId, pickup: cityHall, dropoff: dropoff(13), orderId: 'message-2' },
    ];
    const reply = await lastValueFrom(client.send(PATTERNS.FEE_QUOTE_BATCH, { quotes: asked }));
    const read = readFeeQuoteBatch(reply, asked.length);
    if (!read.ok) throw new Error(JSON.stringify(read.errors));
    expect(read.value).toEqual([
      { quote: expect.objectContaining({ agencyId: other.agencyId }) },
      { error: expect.objectContaining({ code: 'NO_TARIFF', message: expect.stringContaining(unknown) }) },
      { error: expect.objectContaining({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'dropoff' })] }) },
      { quote: expect.objectContaining({ agencyId: agency.agencyId }) },
    ]);
    expect(await queryRows(fee.db.url, "SELECT order_id, agency_id FROM fee.quotes WHERE order_id LIKE 'message-%' ORDER BY order_id")).toEqual([
      { order_id: 'message-1', agency_id: other.agencyId },
      { order_id: 'message-2', agency_id: agency.agencyId },
    ]);
    await expect(lastValueFrom(client.send(PATTERNS.FEE_QUOTE_BATCH, { quotes: Array.from({ length: 101 }, () => asked[0]) }))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [expect.objectContaining({ field: 'quotes' })],
    });
  });
});
