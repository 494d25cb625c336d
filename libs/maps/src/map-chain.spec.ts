import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { loadConfig } from '#config';
import { createMapChain, type MapChainDeps } from './create-map-chain.js';
import { GeocodeFailedError, type MapChain } from './map-chain.js';
import { FakeKakao, FakeNaver } from './testing/index.js';
import { straightLineMeters } from './turf-estimate.js';
import { eventually } from '../../../test/support/eventually.js';

const cityHall = { lng: 126.978, lat: 37.5665 };
const gangnam = { lng: 127.0276, lat: 37.4979 };
const ADDRESS = '서울특별시 중구 세종대로 110';

const kakao = new FakeKakao('kakao-key');
const naver = new FakeNaver('naver-id', 'naver-secret');
let sut: MapChain;

function chain(env: Record<string, string> = {}, deps: MapChainDeps = {}): MapChain {
  const config = loadConfig({
    KAKAO_REST_API_KEY: 'kakao-key',
    KAKAO_MOBILITY_BASE_URL: kakao.url,
    KAKAO_LOCAL_BASE_URL: kakao.url,
    NAVER_MAPS_CLIENT_ID: 'naver-id',
    NAVER_MAPS_CLIENT_SECRET: 'naver-secret',
    NAVER_MAPS_BASE_URL: naver.url,
    MAP_PROVIDER_TIMEOUT_MS: '150',
    MAP_CHAIN_DEADLINE_MS: '400',
    MAP_BREAKER_VOLUME: '3',
    MAP_BREAKER_ERROR_PERCENT: '50',
    MAP_BREAKER_RESET_MS: '150',
    MAP_CALIBRATION_MIN_SAMPLES: '3',
    ...env,
  });
  sut = createMapChain(config.maps, deps);
  return sut;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A different trip each time, so the route cache stays out of the way. */
let trip = 0;
function nextDropoff() {
  trip += 1;
  return { lng: 127.0276 + trip * 0.001, lat: 37.4979 };
}

beforeAll(async () => {
  await Promise.all([kakao.start(), naver.start()]);
  // The file's first request pays for loading and compiling the HTTP client; on a busy machine that alone can
  // take longer than the 150 ms provider timeout the tests use. One request with time to spare takes it first.
  const warm = chain({ MAP_PROVIDER_TIMEOUT_MS: '10000', MAP_CHAIN_DEADLINE_MS: '20000' });
  await warm.route(cityHall, gangnam);
  warm.close();
});
afterAll(() => Promise.all([kakao.stop(), naver.stop()]));
beforeEach(() => {
  kakao.reset();
  naver.reset();
  kakao.places.set(ADDRESS, { lng: 126.9784147, lat: 37.5666805 });
  naver.places.set(ADDRESS, { lng: 126.97842, lat: 37.56668 });
});
afterEach(() => sut?.close());

describe('MapChain routing', () => {
  it('answers from Kakao when it is healthy, with provenance', async () => {
    const route = await chain().route(cityHall, gangnam);
    expect(route).toMatchObject({ provider: 'kakao', estimated: false, cached: false });
    expect(route.attempts).toEqual([{ provider: 'kakao', outcome: 'ok', ms: expect.any(Number) }]);
    expect(naver.count()).toBe(0);
  });

  it.each([
    ['hang', { kind: 'hang' }, 'timeout'],
    ['5xx', { kind: 'server_error' }, 'unavailable'],
    ['429', { kind: 'rate_limit' }, 'rate_limited'],
    ['401', { kind: 'unauthorized' }, 'bad_credentials'],
    ['malformed JSON', { kind: 'malformed' }, 'malformed'],
    ['no route (result_code 1)', { kind: 'route_failure', code: 1 }, 'no_route'],
    ['start not near a road (result_code 102)', { kind: 'route_failure', code: 102 }, 'not_near_road'],
  ] as Array<[string, FakeKakao['fault'], string]>)('Kakao %s: Naver answers and the attempt says why', async (_name, fault, outcome) => {
    kakao.fault = fault;
    const route = await chain().route(cityHall, gangnam);
    expect(route).toMatchObject({ provider: 'naver', estimated: false, cached: false });
    expect(route.attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ['kakao', outcome],
      ['naver', 'ok'],
    ]);
    expect(route.attempts[0].message).toEqual(expect.any(String));
  });

  it('falls back to the Turf estimate when both are down, and says so', async () => {
    kakao.fault = { kind: 'server_error' };
    naver.fault = { kind: 'server_error' };
    const route = await chain().route(cityHall, gangnam);
    expect(route).toMatchObject({ provider: 'turf', estimated: true, detourFactor: 1.3, factorSource: 'default', cached: false });
    expect(route.distanceMeters).toBe(Math.round(straightLineMeters(cityHall, gangnam) * 1.3));
    expect(route.attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ['kakao', 'unavailable'],
      ['naver', 'unavailable'],
      ['turf', 'ok'],
    ]);
  });

  it('opens the breaker after the configured failures, sends nothing while open, and recovers through half-open', async () => {
    chain();
    kakao.fault = { kind: 'server_error' };
    for (let i = 0; i < 3; i++) await sut.route(cityHall, nextDropoff());
    expect(kakao.count()).toBe(3);
    expect(sut.health().find((h) => h.provider === 'kakao' && h.capability === 'routing')?.state).toBe('open');

    for (let i = 0; i < 5; i++) {
      const route = await sut.route(cityHall, nextDropoff());
      expect(route.provider).toBe('naver');
      expect(route.attempts[0]).toMatchObject({ provider: 'kakao', outcome: 'breaker_open', skipped: true, ms: 0 });
    }
    expect(kakao.count()).toBe(3);

    kakao.fault = { kind: 'none' };
    await sleep(200);
    expect(sut.health().find((h) => h.provider === 'kakao' && h.capability === 'routing')?.state).toBe('half_open');
    const probe = await sut.route(cityHall, nextDropoff());
    expect(probe.provider).toBe('kakao');
    expect(kakao.count()).toBe(4);
    expect(sut.health().find((h) => h.provider === 'kakao' && h.capability === 'routing')?.state).toBe('closed');
  });

  it('opens on failures in a row even when the window is full of earlier successes', async () => {
    chain({ MAP_BREAKER_CONSECUTIVE: '3', MAP_BREAKER_VOLUME: '3' });
    for (let i = 0; i < 20; i++) await sut.route(cityHall, nextDropoff());
    kakao.fault = { kind: 'server_error' };
    for (let i = 0; i < 3; i++) await sut.route(cityHall, nextDropoff());
    expect(sut.health().find((h) => h.provider === 'kakao' && h.capability === 'routing')?.state).toBe('open');
    await sut.route(cityHall, nextDropoff());
    expect(kakao.count()).toBe(23);
  });

  it('with failures in a row switched off, the window percentage alone decides', async () => {
    chain({ MAP_BREAKER_CONSECUTIVE: '0', MAP_BREAKER_VOLUME: '3' });
    for (let i = 0; i < 20; i++) await sut.route(cityHall, nextDropoff());
    kakao.fault = { kind: 'server_error' };
    for (let i = 0; i < 3; i++) await sut.route(cityHall, nextDropoff());
    expect(sut.health().find((h) => h.provider === 'kakao' && h.capability === 'routing')?.state).toBe('closed');
  });

  it('re-opens when the half-open probe fails', async () => {
    chain();
    kakao.fault = { kind: 'server_error' };
    for (let i = 0; i < 3; i++) await sut.route(cityHall, nextDropoff());
    await sleep(200);
    await sut.route(cityHall, nextDropoff());
    expect(kakao.count()).toBe(4);
    expect(sut.health().find((h) => h.provider === 'kakao' && h.capability === 'routing')?.state).toBe('open');
    await sut.route(cityHall, nextDropoff());
    expect(kakao.count()).toBe(4);
  });

  it('never opens the breaker for "too close", and estimates such a trip without asking Naver', async () => {
    chain();
    kakao.fault = { kind: 'route_failure', code: 104 };
    for (let i = 0; i < 8; i++) {
      const route = await sut.route(cityHall, nextDropoff());
      expect(route.provider).toBe('turf');
      expect(route.attempts.map((a) => a.outcome)).toEqual(['too_close', 'ok']);
    }
    expect(kakao.count()).toBe(8);
    expect(naver.count()).toBe(0);
    const health = sut.health().find((h) => h.provider === 'kakao' && h.capability === 'routing');
    expect(health).toMatchObject({ state: 'closed', counts: { too_close: 8 } });
    expect(health?.lastError).toBeUndefined();
  });

  it('never opens the breaker for rate limits, and skips the provider until Retry-After has passed', async () => {
    let clock = Date.parse('2026-11-22T10:00:00Z');
    chain({}, { now: () => clock });
    kakao.fault = { kind: 'rate_limit', retryAfterSeconds: 30 };
    const first = await sut.route(cityHall, nextDropoff());
    expect(first.attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ['kakao', 'rate_limited'],
      ['naver', 'ok'],
    ]);
    kakao.fault = { kind: 'none' };
    clock += 29_000;
    for (let i = 0; i < 5; i++) {
      const route = await sut.route(cityHall, nextDropoff());
      expect(route.attempts[0]).toMatchObject({ provider: 'kakao', outcome: 'rate_limited', skipped: true });
    }
    expect(kakao.count()).toBe(1);
    clock += 1_001;
    expect((await sut.route(cityHall, nextDropoff())).provider).toBe('kakao');
    expect(sut.health().find((h) => h.provider === 'kakao' && h.capability === 'routing')?.state).toBe('closed');
  });

  it('aborts a hung provider at its timeout: the request is really cancelled', async () => {
    kakao.fault = { kind: 'hang' };
    const route = await chain().route(cityHall, gangnam);
    expect(route.attempts[0]).toMatchObject({ provider: 'kakao', outcome: 'timeout' });
    expect(route.attempts[0].message).toContain('150 ms');
    await eventually(() => (kakao.aborted > 0 ? true : undefined), 'the fake Kakao to see its request aborted');
    expect(kakao.aborted).toBe(1);
  });

  it('holds the chain deadline: the second provider gets only what is left', async () => {
    kakao.fault = { kind: 'hang' };
    naver.fault = { kind: 'hang' };
    const route = await chain({ MAP_PROVIDER_TIMEOUT_MS: '150', MAP_CHAIN_DEADLINE_MS: '200' }).route(cityHall, gangnam);
    expect(route.provider).toBe('turf');
    expect(route.attempts.map((a) => a.outcome)).toEqual(['timeout', 'timeout', 'ok']);
    expect(route.attempts[1].message).toContain('chain deadline');
    await eventually(() => (kakao.aborted + naver.aborted >= 2 ? true : undefined), 'both fakes to see their requests aborted');
    expect(kakao.aborted + naver.aborted).toBe(2);
  });

  it('skips a provider at its concurrency bound as busy, without counting it as a failure', async () => {
    chain({ MAP_PROVIDER_CONCURRENCY: '1', MAP_BREAKER_VOLUME: '1' });
    kakao.latencyMs = 60;
    const [slow, skipped] = await Promise.all([sut.route(cityHall, nextDropoff()), sut.route(cityHall, nextDropoff())]);
    expect(slow.provider).toBe('kakao');
    expect(skipped.provider).toBe('naver');
    expect(skipped.attempts[0]).toMatchObject({ provider: 'kakao', outcome: 'busy', skipped: true });
    expect(kakao.count()).toBe(1);
    expect(sut.health().find((h) => h.provider === 'kakao' && h.capability === 'routing')).toMatchObject({ state: 'closed', counts: { ok: 1, busy: 1 } });
  });

  it('lists a provider without keys as skipped', async () => {
    const route = await chain({ KAKAO_REST_API_KEY: '' }).route(cityHall, gangnam);
    expect(route.provider).toBe('naver');
    expect(route.attempts[0]).toEqual({ provider: 'kakao', outcome: 'no_credentials', ms: 0, skipped: true });
    expect(kakao.count()).toBe(0);
  });

  it('follows MAP_PROVIDERS order', async () => {
    const route = await chain({ MAP_PROVIDERS: 'naver,kakao,turf' }).route(cityHall, gangnam);
    expect(route.provider).toBe('naver');
    expect(kakao.count()).toBe(0);
  });

  it('serves a trip within ~10 m of one seen before from the cache, saying so', async () => {
    chain();
    const first = await sut.route(cityHall, gangnam);
    const again = await sut.route({ lng: 126.97802, lat: 37.56652 }, { lng: 127.02762, lat: 37.49788 });
    expect(again).toEqual({ ...first, cached: true, attempts: [] });
    expect(kakao.count()).toBe(1);
  });

  it('learns the area detour factor from real routes and the estimate uses it', async () => {
    chain();
    for (let i = 0; i < 3; i++) await sut.route(cityHall, nextDropoff());
    kakao.fault = { kind: 'server_error' };
    naver.fault = { kind: 'server_error' };
    const to = nextDropoff();
    const route = await sut.route(cityHall, to);
    expect(route).toMatchObject({ provider: 'turf', estimated: true, detourFactor: 1.4, factorSource: 'calibrated' });
    expect(route.distanceMeters).toBe(Math.round(straightLineMeters(cityHall, to) * 1.4));
    const elsewhere = await sut.route({ lng: 129.0756, lat: 35.1796 }, { lng: 129.06, lat: 35.16 });
    expect(elsewhere).toMatchObject({ detourFactor: 1.3, factorSource: 'default' });
  });

  it('reports each provider for operators', async () => {
    chain();
    kakao.fault = { kind: 'server_error' };
    await sut.route(cityHall, gangnam);
    const kakaoHealth = sut.health().find((h) => h.provider === 'kakao' && h.capability === 'routing');
    expect(kakaoHealth).toMatchObject({ state: 'closed', counts: { unavailable: 1 }, lastError: { outcome: 'unavailable' } });
    expect(kakaoHealth?.lastError?.message).toContain('HTTP 500');
    expect(sut.health().find((h) => h.provider === 'naver' && h.capability === 'routing')?.counts).toEqual({ ok: 1 });
  });
});

describe('MapChain hedging', () => {
  const kakaoRouting = () => sut.health().find((h) => h.provider === 'kakao' && h.capability === 'routing');

  it('asks the next provider too when one is slow, takes the first answer, and asks each only once', async () => {
    chain({ MAP_HEDGE_AFTER_MS: '30' });
    kakao.latencyMs = 120;
    const route = await sut.route(cityHall, nextDropoff());
    expect(route).toMatchObject({ provider: 'naver', estimated: false });
    expect(route.attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ['kakao', 'superseded'],
      ['naver', 'ok'],
    ]);
    expect({ kakao: kakao.count(), naver: naver.count() }).toEqual({ kakao: 1, naver: 1 });
    // The slow call was left to finish: Kakao's health counts its answer (whenever a busy machine lets it arrive).
    await eventually(() => (kakaoRouting()?.counts.ok ? true : undefined), "Kakao's late answer counted");
    expect(kakaoRouting()?.counts).toEqual({ ok: 1 });
  });

  it('lets a hanging provider cost the hedge delay rather than its timeout, and still opens its breaker', async () => {
    chain({ MAP_HEDGE_AFTER_MS: '30', MAP_BREAKER_CONSECUTIVE: '3', MAP_BREAKER_RESET_MS: '10000' });
    kakao.fault = { kind: 'hang' };
    for (let i = 0; i < 3; i++) {
      const route = await sut.route(cityHall, nextDropoff());
      expect(route.provider).toBe('naver');
      expect(route.attempts.find((a) => a.provider === 'kakao')?.outcome).toBe('superseded');
    }
    // The superseded calls time out in the background (150 ms), which is what the breaker counts.
    await eventually(() => (kakaoRouting()?.state === 'open' ? true : undefined), "Kakao's breaker open");
    const route = await sut.route(cityHall, nextDropoff());
    expect(route.attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ['kakao', 'breaker_open'],
      ['naver', 'ok'],
    ]);
    expect(kakao.count()).toBe(3);
  });

  it('hedges a provider sooner once it knows how fast it usually answers', async () => {
    chain({ MAP_HEDGE_AFTER_MS: '1000' });
    kakao.latencyMs = 5;
    for (let i = 0; i < 5; i++) expect((await sut.route(cityHall, nextDropoff())).provider).toBe('kakao');
    // Kakao now usually answers within a few ms, so it is hedged at 50 ms, long before the 1 s limit or its timeout.
    kakao.latencyMs = 400;
    const route = await sut.route(cityHall, nextDropoff());
    expect(route.attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ['kakao', 'superseded'],
      ['naver', 'ok'],
    ]);
  });

  it('waits for a slow provider when hedging is off', async () => {
    chain({ MAP_HEDGE_AFTER_MS: '0' });
    kakao.latencyMs = 60;
    const route = await sut.route(cityHall, nextDropoff());
    expect(route.provider).toBe('kakao');
    expect(naver.count()).toBe(0);
  });
});

describe('MapChain geocoding', () => {
  it('asks Kakao Local first, remembers the answer, and places the address from the cache when both are down', async () => {
    chain();
    const point = await sut.geocode(ADDRESS);
    expect(point).toEqual({ lng: 126.9784147, lat: 37.5666805, provider: 'kakao', cached: false, attempts: [expect.objectContaining({ provider: 'kakao', outcome: 'ok' })] });
    kakao.fault = { kind: 'server_error' };
    naver.fault = { kind: 'server_error' };
    const fromCache = await sut.geocode(`  ${ADDRESS.replace(' ', '  ')} `);
    expect(fromCache).toMatchObject({ lng: 126.9784147, lat: 37.5666805, provider: 'kakao', cached: true });
    expect(fromCache.attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ['kakao', 'unavailable'],
      ['naver', 'unavailable'],
    ]);
    expect(kakao.count()).toBe(2);
  });

  it('prefers a fresh provider answer over the cache', async () => {
    chain();
    await sut.geocode(ADDRESS);
    kakao.places.set(ADDRESS, { lng: 126.9790001, lat: 37.5670002 });
    expect(await sut.geocode(ADDRESS)).toMatchObject({ lng: 126.9790001, lat: 37.5670002, provider: 'kakao', cached: false });
  });

  it('falls over to Naver when Kakao is down, and to Naver when Kakao finds nothing', async () => {
    chain();
    kakao.fault = { kind: 'server_error' };
    expect(await sut.geocode(ADDRESS)).toMatchObject({ provider: 'naver', lng: 126.97842, lat: 37.56668 });
    kakao.fault = { kind: 'geocode_empty' };
    const other = '서울특별시 종로구 세종대로 172';
    naver.places.set(other, { lng: 126.9769, lat: 37.5759 });
    const found = await sut.geocode(other);
    expect(found.attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ['kakao', 'not_found'],
      ['naver', 'ok'],
    ]);
  });

  it('says not found when every provider says so, and unavailable when they are down', async () => {
    chain();
    kakao.fault = { kind: 'geocode_empty' };
    naver.fault = { kind: 'geocode_empty' };
    await expect(sut.geocode('없는 주소 1')).rejects.toMatchObject({ reason: 'not_found' });
    kakao.fault = { kind: 'server_error' };
    naver.fault = { kind: 'hang' };
    const error = await sut.geocode('없는 주소 2').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GeocodeFailedError);
    expect(error).toMatchObject({ reason: 'unavailable' });
    expect((error as GeocodeFailedError).attempts.map((a) => a.outcome)).toEqual(['unavailable', 'timeout']);
  });

  it('says not found when the only provider with keys says so', async () => {
    chain({ NAVER_MAPS_CLIENT_ID: '', NAVER_MAPS_CLIENT_SECRET: '' });
    kakao.fault = { kind: 'geocode_empty' };
    await expect(sut.geocode('없는 주소 3')).rejects.toMatchObject({ reason: 'not_found' });
  });
});

describe('MapChain real routes (no estimate)', () => {
  const routing = (provider: string) => sut.health().find((h) => h.provider === provider && h.capability === 'routing');

  it('answers from the first real provider that can, in order, each asked once', async () => {
    kakao.fault = { kind: 'server_error' };
    const { route, attempts } = await chain().realRoute(cityHall, gangnam);
    expect(route).toMatchObject({ provider: 'naver', estimated: false, cached: false });
    expect(attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ['kakao', 'unavailable'],
      ['naver', 'ok'],
    ]);
    expect([kakao.count(), naver.count()]).toEqual([1, 1]);
  });

  it('never falls back to Turf: with every provider down there is no route, and the attempts say why', async () => {
    kakao.fault = { kind: 'server_error' };
    naver.fault = { kind: 'hang' };
    const { route, attempts } = await chain().realRoute(cityHall, gangnam);
    expect(route).toBeUndefined();
    expect(attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ['kakao', 'unavailable'],
      ['naver', 'timeout'],
    ]);
    expect(sut.health().find((h) => h.provider === 'turf')?.counts).toEqual({ ok: 0 });
  });

  it('serves a real route from the cache without asking anyone; an estimate is never cached', async () => {
    chain();
    const first = await sut.route(cityHall, gangnam);
    const { route, attempts } = await sut.realRoute(cityHall, gangnam);
    expect(route).toEqual({ ...first, cached: true, attempts: [] });
    expect(attempts).toEqual([]);
    expect(kakao.count()).toBe(1);

    kakao.fault = { kind: 'server_error' };
    naver.fault = { kind: 'server_error' };
    const to = nextDropoff();
    expect((await sut.route(cityHall, to)).provider).toBe('turf');
    expect((await sut.realRoute(cityHall, to)).route).toBeUndefined();
  });

  it('respects an open breaker and a rate-limit pause, and says when real routing is available', async () => {
    let clock = Date.parse('2026-11-22T10:00:00Z');
    chain({ MAP_PROVIDERS: 'kakao,turf', MAP_BREAKER_CONSECUTIVE: '3' }, { now: () => clock });
    expect(sut.realRoutingAvailable()).toBe(true);

    kakao.fault = { kind: 'rate_limit', retryAfterSeconds: 30 };
    expect((await sut.realRoute(cityHall, nextDropoff())).attempts).toEqual([expect.objectContaining({ provider: 'kakao', outcome: 'rate_limited' })]);
    expect(sut.realRoutingAvailable()).toBe(false);
    kakao.fault = { kind: 'none' };
    const paused = await sut.realRoute(cityHall, nextDropoff());
    expect(paused).toEqual({ attempts: [expect.objectContaining({ provider: 'kakao', outcome: 'rate_limited', skipped: true })] });
    expect(kakao.count()).toBe(1);
    clock += 30_001;
    expect(sut.realRoutingAvailable()).toBe(true);

    kakao.fault = { kind: 'server_error' };
    for (let i = 0; i < 3; i++) await sut.realRoute(cityHall, nextDropoff());
    expect(routing('kakao')?.state).toBe('open');
    expect(sut.realRoutingAvailable()).toBe(false);
    const sent = kakao.count();
    const open = await sut.realRoute(cityHall, nextDropoff());
    expect(open).toEqual({ attempts: [expect.objectContaining({ provider: 'kakao', outcome: 'breaker_open', skipped: true })] });
    expect(kakao.count()).toBe(sent);
  });

  it('never hedges: a slow provider is waited for, so one route costs one provider call', async () => {
    // A generous timeout, so only a hedge (not a loaded test machine) could bring Naver in.
    chain({ MAP_HEDGE_AFTER_MS: '30', MAP_PROVIDER_TIMEOUT_MS: '1000', MAP_CHAIN_DEADLINE_MS: '2000' });
    kakao.latencyMs = 120;
    const { route, attempts } = await sut.realRoute(cityHall, nextDropoff());
    expect(route).toMatchObject({ provider: 'kakao', estimated: false, cached: false });
    expect(attempts).toEqual([expect.objectContaining({ provider: 'kakao', outcome: 'ok' })]);
    expect(route?.attempts).toEqual(attempts);
    expect(naver.count()).toBe(0);
  });

  it('stops at "too close" without asking the next provider, and has no route', async () => {
    chain();
    kakao.fault = { kind: 'route_failure', code: 104 };
    const { route, attempts } = await sut.realRoute(cityHall, nextDropoff());
    expect(route).toBeUndefined();
    expect(attempts.map((a) => [a.provider, a.outcome])).toEqual([['kakao', 'too_close']]);
    expect(naver.count()).toBe(0);
  });

  it('is unavailable when no real provider has keys', () => {
    chain({ KAKAO_REST_API_KEY: '', NAVER_MAPS_CLIENT_ID: '', NAVER_MAPS_CLIENT_SECRET: '' });
    expect(sut.realRoutingAvailable()).toBe(false);
  });
});
