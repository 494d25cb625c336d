import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { NaverDirections, naverGatewayError } from './naver-directions.adapter.js';
import { FakeNaver, providerFailure } from './testing/index.js';
import { straightLineMeters } from './turf-estimate.js';

const cityHall = { lng: 126.978, lat: 37.5665 };
const gangnam = { lng: 127.0276, lat: 37.4979 };
const call = { timeoutMs: 500 };

const failure = providerFailure;

describe('NaverDirections against a fake NCP Directions 5', () => {
  const naver = new FakeNaver('id', 'secret');
  let sut: NaverDirections;

  beforeAll(async () => {
    await naver.start();
    sut = new NaverDirections(naver.url, 'id', 'secret');
  });
  afterAll(() => naver.stop());
  beforeEach(() => {
    naver.reset();
    naver.routeFailureStyle = 'old_host';
  });

  it('sends longitude first and converts the duration from milliseconds to seconds', async () => {
    const route = await sut.route(cityHall, gangnam, call);
    expect(naver.queries.at(-1)?.get('start')).toBe('126.978,37.5665');
    expect(naver.queries.at(-1)?.get('goal')).toBe('127.0276,37.4979');
    const meters = Math.round(straightLineMeters(cityHall, gangnam) * 1.4);
    expect(route).toEqual({ distanceMeters: meters, durationSeconds: Math.round(meters / (30_000 / 3600)), provider: 'naver', estimated: false });
  });

  const codes: Array<[number, string]> = [
    [1, 'too_close'],
    [2, 'not_near_road'],
    [3, 'no_route'],
    [4, 'not_near_road'],
    [5, 'no_route'],
  ];

  it.each(codes)('classifies code %i inside a 200 (old host) as %s', async (code, outcome) => {
    naver.fault = { kind: 'route_failure', code };
    expect(await failure(sut.route(cityHall, gangnam, call))).toMatchObject({ outcome, status: 200 });
  });

  it.each(codes)('classifies errorCode %i in an HTTP 400 (new host) as %s', async (code, outcome) => {
    naver.routeFailureStyle = 'new_host';
    naver.fault = { kind: 'route_failure', code };
    expect(await failure(sut.route(cityHall, gangnam, call))).toMatchObject({ outcome, status: 400 });
  });

  it('reports the same start and goal as too close', async () => {
    expect((await failure(sut.route(cityHall, cityHall, call))).outcome).toBe('too_close');
  });

  it('classifies a wrong secret as bad credentials', async () => {
    const error = await failure(new NaverDirections(naver.url, 'id', 'wrong').route(cityHall, gangnam, call));
    expect(error).toMatchObject({ outcome: 'bad_credentials', status: 401 });
    expect(error.message).toContain('Authentication Failed');
    expect(error.message).not.toContain('wrong');
  });

  it('classifies 429 as rate limited with Retry-After', async () => {
    naver.fault = { kind: 'rate_limit', retryAfterSeconds: 3 };
    expect(await failure(sut.route(cityHall, gangnam, call))).toMatchObject({ outcome: 'rate_limited', retryAfterMs: 3000 });
  });

  it('classifies 503 as unavailable and a broken body as malformed', async () => {
    naver.fault = { kind: 'server_error' };
    expect((await failure(sut.route(cityHall, gangnam, call))).outcome).toBe('unavailable');
    naver.fault = { kind: 'malformed' };
    expect((await failure(sut.route(cityHall, gangnam, call))).outcome).toBe('malformed');
  });

  it('times out a hung request and aborts it', async () => {
    naver.fault = { kind: 'hang' };
    expect((await failure(sut.route(cityHall, gangnam, { timeoutMs: 50 }))).outcome).toBe('timeout');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(naver.aborted).toBe(1);
  });
});

describe('naverGatewayError', () => {
  const answer = (status: number, errorCode: string) => ({
    status,
    headers: new Headers(),
    json: { error: { errorCode, message: 'm', details: 'd' } },
    text: '',
  });

  it.each<[number, string, string]>([
    [401, '210', 'bad_credentials'],
    [404, '300', 'bad_credentials'],
    [429, '400', 'rate_limited'],
    [429, '410', 'rate_limited'],
    [400, '100', 'bad_request'],
    [504, '510', 'unavailable'],
    [500, '900', 'unavailable'],
  ])('HTTP %i errorCode %s is %s', (status, code, outcome) => {
    expect(naverGatewayError(answer(status, code)).outcome).toBe(outcome);
  });
});
