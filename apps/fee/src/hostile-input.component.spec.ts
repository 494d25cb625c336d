import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { lastValueFrom } from 'rxjs';
import { MAX_JSON_DEPTH, PATTERNS } from '#contracts';
import { queryRows } from '../../../test/support/database.js';
import { startFeeService, type TestFeeService } from '../test/fee-service.js';

const deepArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const cityHall = { lng: 126.978, lat: 37.5665 };
const gwanghwamun = { lng: 126.9769, lat: 37.5759 };

/** A tariff as deep as real ones get: service area and zone polygons. */
const tariffWith = (zoneName: string) => ({
  baseFee: 3000,
  baseDistanceMeters: 1500,
  distance: { kind: 'steps', stepMeters: 500, stepFee: 500 },
  serviceArea: [{ name: '서울', polygon: [{ lng: 126.7, lat: 37.4 }, { lng: 127.3, lat: 37.4 }, { lng: 127.3, lat: 37.7 }, { lng: 126.7, lat: 37.7 }] }],
  surcharges: { zones: [{ name: zoneName, amount: 500, polygon: [{ lng: 126.97, lat: 37.56 }, { lng: 126.99, lat: 37.56 }, { lng: 126.99, lat: 37.58 }] }] },
  rounding: { unit: 100, mode: 'up' },
  distanceBasis: 'straight',
  commission: { kind: 'percent', percent: 3.3 },
});

describe('fee refuses hostile input with a 400 naming the field, and changes nothing (component, real PostgreSQL)', () => {
  let fee: TestFeeService;
  let url: string;

  beforeAll(async () => {
    fee = await startFeeService();
    url = `http://127.0.0.1:${fee.config.httpPorts.fee}`;
  });

  afterAll(async () => {
    await fee?.close();
  });

  const call = async (method: string, path: string, body: string | Buffer) => {
    const response = await fetch(url + path, { method, body, headers: { authorization: fee.agency.authorization, 'content-type': 'application/json' } });
    return { status: response.status, body: (await response.json()) as any };
  };
  const stored = async () => {
    const [row] = await queryRows<{ versions: number; quotes: number }>(
      fee.db.url,
      'SELECT (SELECT count(*) FROM fee.tariff_versions)::int AS versions, (SELECT count(*) FROM fee.quotes)::int AS quotes',
    );
    return row;
  };
  const tariffPath = () => `/v1/agencies/${fee.agency.agencyId}/tariff`;

  it('takes a tariff as deep as real ones get', async () => {
    expect((await call('PUT', tariffPath(), JSON.stringify({ tariff: tariffWith('언덕') }))).status).toBe(200);
  });

  const cases: Array<[string, () => [string, string, string | Buffer], string | RegExp]> = [
    ['a tariff nested 10,000 levels deep', () => ['PUT', tariffPath(), `{"tariff":${deepArrays(10_000)}}`], /^tariff(\[0\]){31}$/],
    ['a tariff of nested objects', () => ['PUT', tariffPath(), `{"tariff":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`], new RegExp(`^tariff(\\.a){${MAX_JSON_DEPTH - 1}}$`)],
    ['a zone name with a lone surrogate', () => ['PUT', tariffPath(), JSON.stringify({ tariff: tariffWith('언\ud800덕') })], 'tariff.surcharges.zones[0].name'],
    ['a zone name with NUL', () => ['PUT', tariffPath(), JSON.stringify({ tariff: tariffWith('언\u0000덕') })], 'tariff.surcharges.zones[0].name'],
    ['a constructor field in the tariff', () => ['PUT', tariffPath(), JSON.stringify({ tariff: tariffWith('언덕') }).replace('"tariff":{', '"tariff":{"constructor":{},')], 'tariff.constructor'],
    ['a weather until nested deep', () => ['PUT', `${tariffPath()}/weather`, `{"mode":"rain","amount":1000,"until":${deepArrays(10_000)}}`], /^until(\[0\]){31}$/],
    ['a weather field name with NUL', () => ['PUT', `${tariffPath()}/weather`, '{"mode":"rain","amount":1000,"until":"2099-01-01T00:00:00Z","\\u0000":1}'], '["\\u0000"]'],
    ['a quote nested deep', () => ['POST', '/v1/quotes', `{"agencyId":${deepArrays(10_000)}}`], /^agencyId(\[0\]){31}$/],
    ['a quote with constructor in a point', () => ['POST', '/v1/quotes', JSON.stringify({ agencyId: fee.agency.agencyId, pickup: cityHall, dropoff: gwanghwamun }).replace('"pickup":{', '"pickup":{"constructor":{},')], 'pickup.constructor'],
    ['a quote pickup given as a list', () => ['POST', '/v1/quotes', JSON.stringify({ agencyId: fee.agency.agencyId, pickup: [], dropoff: gwanghwamun })], 'pickup'],
    ['a quote dropoff given as a list of points', () => ['POST', '/v1/quotes', JSON.stringify({ agencyId: fee.agency.agencyId, pickup: cityHall, dropoff: [gwanghwamun] })], 'dropoff'],
    ['a quote address with a lone surrogate', () => ['POST', '/v1/quotes', JSON.stringify({ agencyId: fee.agency.agencyId, pickup: cityHall, dropoffAddress: '서울\udc00' })], 'dropoffAddress'],
  ];

  it.each(cases)('400 VALIDATION_FAILED for %s', async (_, request, field) => {
    const before = await stored();
    const answer = await call(...request());
    expect(answer).toEqual({
      status: 400,
      body: { error: { code: 'VALIDATION_FAILED', message: expect.any(String), details: [{ field: typeof field === 'string' ? field : expect.stringMatching(field), value: expect.anything(), reason: expect.any(String) }] } },
    });
    expect(await stored()).toEqual(before);
  });

  it('refuses a tariff amount past 1,000,000 KRW, and prices steps that add up past it at that ceiling, never past what a quote stores', async () => {
    const before = await stored();
    const tooMuch = await call('PUT', tariffPath(), JSON.stringify({ tariff: { ...tariffWith('언덕'), baseFee: 2 ** 52 } }));
    expect(tooMuch).toMatchObject({ status: 422, body: { error: { code: 'TARIFF_INVALID', details: [{ field: 'tariff.baseFee', reason: 'must be at most 1,000,000 KRW' }] } } });
    expect(await stored()).toEqual(before);

    const steep = { ...tariffWith('언덕'), baseDistanceMeters: 0, distance: { kind: 'steps', stepMeters: 1, stepFee: 1_000_000 }, surcharges: {} };
    expect((await call('PUT', tariffPath(), JSON.stringify({ tariff: steep }))).status).toBe(200);
    const quote = await call('POST', '/v1/quotes', JSON.stringify({ agencyId: fee.agency.agencyId, pickup: cityHall, dropoff: gwanghwamun }));
    expect(quote.status).toBe(200);
    expect(quote.body.fee.total).toBe(1_000_000);
    expect(quote.body.fee.items).toContainEqual({ code: 'MAXIMUM', label: '최대 요금 상한', amount: expect.any(Number) });
  });

  it.each([
    ['JSON null', 'null'],
    ['a bare string', '"tariff"'],
    ['broken JSON', '{"tariff":'],
    ['bytes that are not UTF-8', Buffer.concat([Buffer.from('{"tariff":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')])],
  ])('400 INVALID_JSON for %s as the body', async (_, body) => {
    const before = await stored();
    const answer = await call('PUT', tariffPath(), body);
    expect(answer).toEqual({ status: 400, body: { error: { code: 'INVALID_JSON', message: expect.any(String) } } });
    expect(await stored()).toEqual(before);
  });

  it('answers fee.quote with VALIDATION_FAILED for a lone surrogate or NUL, over the message transport', async () => {
    for (const dropoffAddress of ['서울\ud800', '서울\u0000']) {
      const reply = lastValueFrom(fee.client.send(PATTERNS.FEE_QUOTE, { agencyId: fee.agency.agencyId, pickup: cityHall, dropoffAddress }));
      await expect(reply).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'dropoffAddress' }] });
    }
  });
});
