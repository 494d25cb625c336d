import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { FeeQuote } from '#contracts';
import { FakeKakao, FakeNaver, fakeProvidersEnv } from '../../../../libs/maps/src/testing/index.js';
import { queryRows } from '../../../../test/support/database.js';
import { startFeeService, type TestFeeService } from '../../test/fee-service.js';
import type { TestAgency } from '../../test/agencies.js';

const cityHall = { lng: 126.978, lat: 37.5665 };
// Distinct trips, so the route cache never answers for another test.
let trip = 0;
const nextDropoff = () => ({ lng: 127.0 + (trip++ % 500) * 0.0004, lat: 37.55 });

/**
 * The fee service with Kakao and Naver configured against local fakes that speak their formats: the quote says
 * which provider answered, and falls back when one fails, down to the Turf estimate.
 */
describe('fee quotes through the map chain (component, fake Kakao and Naver)', () => {
  let fee: TestFeeService;
  let db: TestFeeService['db'];
  let app: INestApplication;
  let agency: TestAgency;
  const kakao = new FakeKakao();
  const naver = new FakeNaver();

  beforeAll(async () => {
    await kakao.start();
    await naver.start();
    fee = await startFeeService({
      ...fakeProvidersEnv({ kakao, naver }),
      MAP_PROVIDER_TIMEOUT_MS: '200',
      MAP_CHAIN_DEADLINE_MS: '1000',
      MAP_BREAKER_CONSECUTIVE: '3',
      MAP_BREAKER_RESET_MS: '60000',
    });
    ({ db, app, agency } = fee);
  });

  afterAll(async () => {
    await fee?.close();
    await kakao.stop();
    await naver.stop();
  });

  beforeEach(() => {
    kakao.reset();
    naver.reset();
  });

  const quote = async (): Promise<FeeQuote> =>
    (await request(app.getHttpServer()).post('/v1/quotes').set('Authorization', agency.authorization).send({ agencyId: agency.agencyId, pickup: cityHall, dropoff: nextDropoff() }).expect(200)).body;

  it('prices by Kakao road distance when Kakao answers, and keeps the provenance', async () => {
    const q = await quote();
    expect(q).toMatchObject({ provider: 'kakao', estimated: false, cached: false, attempts: [{ provider: 'kakao', outcome: 'ok' }] });
    expect(q.detourFactor).toBeUndefined();
    expect(naver.count()).toBe(0);
    const [row] = await queryRows(db.url, 'SELECT provider, estimated, cached, attempts FROM fee.quotes WHERE id = $1', [q.quoteId]);
    expect(row).toMatchObject({ provider: 'kakao', estimated: false, cached: false, attempts: [expect.objectContaining({ provider: 'kakao', outcome: 'ok' })] });
  });

  it('falls back to Naver when Kakao fails, saying so', async () => {
    kakao.fault = { kind: 'server_error', status: 503 };
    const q = await quote();
    expect(q).toMatchObject({
      provider: 'naver',
      estimated: false,
      attempts: [
        { provider: 'kakao', outcome: 'unavailable' },
        { provider: 'naver', outcome: 'ok' },
      ],
    });
  });

  it('prices by the Turf estimate when both are down, marked estimated; opens their breakers; health turns degraded', async () => {
    kakao.fault = { kind: 'hang' };
    naver.fault = { kind: 'server_error', status: 500 };
    const first = await quote();
    expect(first).toMatchObject({ provider: 'turf', estimated: true, detourFactor: 1.3, factorSource: 'default' });
    expect(first.attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ['kakao', 'timeout'],
      ['naver', 'unavailable'],
      ['turf', 'ok'],
    ]);
    // Three failures in a row (MAP_BREAKER_CONSECUTIVE) open each breaker; every quote meanwhile is an honest estimate.
    let quotes = 1;
    let lastAttempts = first.attempts;
    const bothOpen = () => (['kakao', 'naver'] as const).every((provider) => lastAttempts.find((a) => a.provider === provider)?.outcome === 'breaker_open');
    while (!bothOpen() && quotes < 6) {
      const q = await quote();
      expect(q).toMatchObject({ provider: 'turf', estimated: true });
      lastAttempts = q.attempts;
      quotes++;
    }
    expect(bothOpen()).toBe(true);
    // Both breakers are open now: the next quote does not wait on either, and they receive nothing.
    const before = { kakao: kakao.count(), naver: naver.count() };
    const q = await quote();
    expect(q.attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ['kakao', 'breaker_open'],
      ['naver', 'breaker_open'],
      ['turf', 'ok'],
    ]);
    expect({ kakao: kakao.count(), naver: naver.count() }).toEqual(before);

    const health = (await request(app.getHttpServer()).get('/health').expect(200)).body;
    expect(health.status).toBe('degraded');
    const maps = health.checks.find((c: { name: string }) => c.name === 'map-providers');
    expect(maps).toMatchObject({ status: 'down', critical: false });
    expect(maps.providers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ provider: 'kakao', capability: 'routing', state: 'open' }),
        expect.objectContaining({ provider: 'naver', capability: 'routing', state: 'open' }),
      ]),
    );
    const [{ n }] = await queryRows<{ n: number }>(db.url, "SELECT count(*)::int AS n FROM fee.quotes WHERE provider = 'turf' AND estimated");
    expect(n).toBe(quotes + 1);

    const metrics = (await request(app.getHttpServer()).get('/metrics').expect(200)).text;
    expect(sample(metrics, 'baecha_map_breaker_state', { provider: 'kakao', capability: 'routing' })).toBe(2);
    expect(sample(metrics, 'baecha_map_requests_total', { provider: 'kakao', outcome: 'timeout' })).toBeGreaterThan(0);
    expect(sample(metrics, 'baecha_map_requests_total', { provider: 'naver', outcome: 'breaker_open' })).toBeGreaterThan(0);
    expect(sample(metrics, 'baecha_map_fallbacks_total', {})).toBe(quotes + 1);
    // Timeouts were cut at MAP_PROVIDER_TIMEOUT_MS (200 ms): every one falls in the 0.25 s bucket.
    const timeouts = sample(metrics, 'baecha_map_request_duration_seconds_count', { provider: 'kakao', outcome: 'timeout' });
    expect(timeouts).toBeGreaterThan(0);
    expect(sample(metrics, 'baecha_map_request_duration_seconds_bucket', { provider: 'kakao', outcome: 'timeout', le: '0.25' })).toBe(timeouts);
  });
});

/** The value of the Prometheus sample named `name` whose labels include `labels`, whatever their order. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)\{(.*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const has = Object.fromEntries([...match[2].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => has[k] === v)) return Number(match[3]);
  }
  return undefined;
}
