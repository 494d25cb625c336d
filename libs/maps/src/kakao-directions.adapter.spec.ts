import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { KakaoDirections, parseKakaoDirections } from './kakao-directions.adapter.js';
import { FakeKakao, providerFailure } from './testing/index.js';
import { straightLineMeters } from './turf-estimate.js';

const cityHall = { lng: 126.978, lat: 37.5665 };
const gangnam = { lng: 127.0276, lat: 37.4979 };
const call = { timeoutMs: 500 };

const failure = providerFailure;

describe('KakaoDirections against a fake Kakao Mobility', () => {
  const kakao = new FakeKakao('kakao-key');
  let sut: KakaoDirections;

  beforeAll(async () => {
    await kakao.start();
    sut = new KakaoDirections(kakao.url, 'kakao-key');
  });
  afterAll(() => kakao.stop());
  beforeEach(() => kakao.reset());

  it('sends longitude first with the KakaoAK header and reads metres and seconds', async () => {
    const route = await sut.route(cityHall, gangnam, call);
    expect(kakao.queries.at(-1)?.get('origin')).toBe('126.978,37.5665');
    expect(kakao.queries.at(-1)?.get('destination')).toBe('127.0276,37.4979');
    const meters = Math.round(straightLineMeters(cityHall, gangnam) * 1.4);
    expect(route).toEqual({ distanceMeters: meters, durationSeconds: Math.round(meters / (30_000 / 3600)), provider: 'kakao', estimated: false });
  });

  it.each<[number, string]>([
    [1, 'no_route'],
    [101, 'not_near_road'],
    [102, 'not_near_road'],
    [103, 'not_near_road'],
    [104, 'too_close'],
    [105, 'no_route'],
    [106, 'no_route'],
  ])('classifies result_code %i inside a 200 as %s', async (code, outcome) => {
    kakao.fault = { kind: 'route_failure', code };
    const error = await failure(sut.route(cityHall, gangnam, call));
    expect(error.outcome).toBe(outcome);
    expect(error.status).toBe(200);
    expect(error.message).toContain(`result_code ${code}`);
  });

  it('reports two points within 5 m as too close, as Kakao does', async () => {
    const error = await failure(sut.route(cityHall, { lng: 126.97801, lat: 37.56651 }, call));
    expect(error.outcome).toBe('too_close');
  });

  it('classifies a wrong key as bad credentials', async () => {
    const error = await failure(new KakaoDirections(kakao.url, 'wrong').route(cityHall, gangnam, call));
    expect(error).toMatchObject({ outcome: 'bad_credentials', status: 401 });
    expect(error.message).toContain('-401');
  });

  it('classifies 429 as rate limited and keeps Retry-After', async () => {
    kakao.fault = { kind: 'rate_limit', retryAfterSeconds: 7 };
    expect(await failure(sut.route(cityHall, gangnam, call))).toMatchObject({ outcome: 'rate_limited', status: 429, retryAfterMs: 7000 });
  });

  it('classifies 5xx as unavailable', async () => {
    kakao.fault = { kind: 'server_error', status: 502 };
    expect(await failure(sut.route(cityHall, gangnam, call))).toMatchObject({ outcome: 'unavailable', status: 502 });
  });

  it('classifies a body that is not JSON as malformed', async () => {
    kakao.fault = { kind: 'malformed' };
    expect((await failure(sut.route(cityHall, gangnam, call))).outcome).toBe('malformed');
  });

  it('aborts the HTTP request itself when the time runs out', async () => {
    kakao.fault = { kind: 'hang' };
    const error = await failure(sut.route(cityHall, gangnam, { timeoutMs: 50 }));
    expect(error.outcome).toBe('timeout');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(kakao.aborted).toBe(1);
  });

  it('classifies a refused connection as unavailable', async () => {
    const down = new FakeKakao();
    await down.start();
    const url = down.url;
    await down.stop();
    expect((await failure(new KakaoDirections(url, 'k').route(cityHall, gangnam, call))).outcome).toBe('unavailable');
  });
});

describe('parseKakaoDirections', () => {
  it('treats quota code -10 as rate limited even though Kakao sends it as HTTP 400', async () => {
    const { kakaoGatewayError } = await import('./kakao-directions.adapter.js');
    const error = kakaoGatewayError({ status: 400, headers: new Headers(), json: { code: -10, msg: 'API limit has been exceeded.' }, text: '' });
    expect(error.outcome).toBe('rate_limited');
  });

  it('refuses a 200 without a summary', () => {
    expect(() => parseKakaoDirections({ routes: [{ result_code: 0, result_msg: '길찾기 성공' }] })).toThrow(/summary/);
  });
});
