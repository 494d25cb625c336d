import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { KakaoLocal } from './kakao-local.adapter.js';
import { NaverGeocoding } from './naver-geocoding.adapter.js';
import { FakeKakao, FakeNaver, providerFailure } from './testing/index.js';

const ADDRESS = '서울특별시 중구 세종대로 110';
const call = { timeoutMs: 500 };

const failure = providerFailure;

describe('geocoding adapters', () => {
  const kakao = new FakeKakao('k');
  const naver = new FakeNaver('i', 's');

  beforeAll(async () => {
    await Promise.all([kakao.start(), naver.start()]);
  });
  afterAll(() => Promise.all([kakao.stop(), naver.stop()]));
  beforeEach(() => {
    for (const fake of [kakao, naver]) {
      fake.reset();
      fake.places.set(ADDRESS, { lng: 126.9784147, lat: 37.5666805 });
    }
  });

  it('Kakao Local: x is the longitude, both arrive as strings', async () => {
    expect(await new KakaoLocal(kakao.url, 'k').geocode(ADDRESS, call)).toEqual({ lng: 126.9784147, lat: 37.5666805, provider: 'kakao' });
    expect(kakao.queries.at(-1)?.get('query')).toBe(ADDRESS);
  });

  it('Naver Geocoding: x is the longitude, both arrive as strings', async () => {
    expect(await new NaverGeocoding(naver.url, 'i', 's').geocode(ADDRESS, call)).toEqual({ lng: 126.9784147, lat: 37.5666805, provider: 'naver' });
  });

  it('an empty result is not found, for both', async () => {
    kakao.fault = { kind: 'geocode_empty' };
    naver.fault = { kind: 'geocode_empty' };
    expect((await failure(new KakaoLocal(kakao.url, 'k').geocode(ADDRESS, call))).outcome).toBe('not_found');
    expect((await failure(new NaverGeocoding(naver.url, 'i', 's').geocode(ADDRESS, call))).outcome).toBe('not_found');
  });

  it('a wrong key is bad credentials, for both', async () => {
    const kakaoError = await failure(new KakaoLocal(kakao.url, 'bad').geocode(ADDRESS, call));
    expect(kakaoError).toMatchObject({ outcome: 'bad_credentials', status: 401 });
    expect(kakaoError.message).toContain('AccessDeniedError');
    expect((await failure(new NaverGeocoding(naver.url, 'i', 'bad').geocode(ADDRESS, call))).outcome).toBe('bad_credentials');
  });

  it('Kakao Local throttling is rate limited', async () => {
    kakao.fault = { kind: 'rate_limit' };
    expect((await failure(new KakaoLocal(kakao.url, 'k').geocode(ADDRESS, call))).outcome).toBe('rate_limited');
  });
});
