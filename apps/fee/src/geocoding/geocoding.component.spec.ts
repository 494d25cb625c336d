import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { AppConfig } from '#config';
import type { FeeGeocode } from '#contracts';
import { startService } from '#platform';
import { FakeKakao, FakeNaver, fakeProvidersEnv } from '../../../../libs/maps/src/testing/index.js';
import { createTestDatabase, queryRows } from '../../../../test/support/database.js';
import { testConfig } from '../../../../test/support/config.js';
import { FeeModule } from '../fee.module.js';

const seoulCityHall = { address: '서울 중구 세종대로 110', point: { lng: 126.9784147, lat: 37.5666805 } };
const gangnamStation = { address: '서울 강남구 강남대로 396', point: { lng: 127.0276368, lat: 37.4979502 } };
const pangyo = { address: '경기 성남시 분당구 판교역로 166', point: { lng: 127.1109927, lat: 37.3952969 } };

/**
 * Geocoding through fee's map chain against fake Kakao and Naver, with the geocode cache in Postgres: an
 * address placed once still resolves while both providers are down, even after the service restarts.
 */
describe('fee geocoding (component, fake Kakao and Naver, Postgres geocode cache)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let config: AppConfig;
  let app: INestApplication;
  const kakao = new FakeKakao();
  const naver = new FakeNaver();

  const start = async () => startService({ service: 'fee', module: FeeModule.forRoot(config, db.url), config });

  beforeAll(async () => {
    await kakao.start();
    await naver.start();
    db = await createTestDatabase();
    config = await testConfig({
      ...fakeProvidersEnv({ kakao, naver }),
      MAP_PROVIDER_TIMEOUT_MS: '200',
      MAP_CHAIN_DEADLINE_MS: '1000',
    });
    for (const place of [seoulCityHall, gangnamStation, pangyo]) kakao.places.set(place.address, place.point);
    naver.places.set(gangnamStation.address, gangnamStation.point);
    app = await start();
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
    await kakao.stop();
    await naver.stop();
  });

  beforeEach(() => {
    kakao.reset();
    naver.reset();
  });

  const geocode = (address: string) => request(app.getHttpServer()).post('/v1/geocode').send({ address });

  it('places an address by Kakao Local and keeps it in fee.geocode_cache', async () => {
    const answer: FeeGeocode = (await geocode(seoulCityHall.address).expect(200)).body;
    expect(answer).toMatchObject({ ...seoulCityHall.point, provider: 'kakao', cached: false, attempts: [{ provider: 'kakao', outcome: 'ok' }] });
    expect(naver.count()).toBe(0);
    const rows = await queryRows(db.url, 'SELECT address_key, lng, lat, provider, geocoded_at FROM fee.geocode_cache');
    expect(rows).toEqual([
      { address_key: '서울 중구 세종대로 110', ...seoulCityHall.point, provider: 'kakao', geocoded_at: expect.any(Date) },
    ]);
  });

  it('falls back to Naver when Kakao fails, and caches its answer under the normalised address', async () => {
    kakao.fault = { kind: 'server_error', status: 503 };
    const answer: FeeGeocode = (await geocode(gangnamStation.address).expect(200)).body;
    expect(answer).toMatchObject({ ...gangnamStation.point, provider: 'naver', cached: false });
    expect(answer.attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ['kakao', 'unavailable'],
      ['naver', 'ok'],
    ]);
    // A trivially different spelling the providers do not match still shares the cache entry.
    kakao.reset();
    naver.reset();
    const again: FeeGeocode = (await geocode(`  ${gangnamStation.address.replace(/ /g, '  ')} `).expect(200)).body;
    expect(again).toMatchObject({ ...gangnamStation.point, provider: 'naver', cached: true });
    expect(again.attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ['kakao', 'not_found'],
      ['naver', 'not_found'],
    ]);
  });

  it('answers 422 ADDRESS_NOT_FOUND with the attempts when no provider knows the address', async () => {
    const { body } = await geocode('서울 어딘가 없는로 999').expect(422);
    expect(body.error).toMatchObject({ code: 'ADDRESS_NOT_FOUND' });
    expect(body.error.details.attempts.map((a: { provider: string }) => a.provider)).toEqual(['kakao', 'naver']);
    const [{ n }] = await queryRows<{ n: number }>(db.url, 'SELECT count(*)::int AS n FROM fee.geocode_cache WHERE address_key = $1', [
      '서울 어딘가 없는로 999',
    ]);
    expect(n).toBe(0);
  });

  it('rejects an empty or missing address with 400', async () => {
    await geocode('').expect(400);
    await request(app.getHttpServer()).post('/v1/geocode').send({}).expect(400);
  });

  it('with Kakao and Naver down, still places an address seen before, from Postgres, after a fresh start', async () => {
    await geocode(pangyo.address).expect(200);
    await app.close();
    app = await start();
    kakao.reset();
    kakao.fault = { kind: 'server_error', status: 500 };
    naver.fault = { kind: 'server_error', status: 500 };
    const answer: FeeGeocode = (await geocode(pangyo.address).expect(200)).body;
    // The providers are asked first, as always; the cache answers because they cannot, and says so.
    expect(answer).toMatchObject({ ...pangyo.point, provider: 'kakao', cached: true });
    expect(answer.attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ['kakao', 'unavailable'],
      ['naver', 'unavailable'],
    ]);
  });

  it('with Kakao and Naver down, answers 503 UPSTREAM_UNAVAILABLE with the attempts for an address never seen', async () => {
    kakao.places.set('부산 해운대구 해운대해변로 264', { lng: 129.1603, lat: 35.1587 });
    kakao.fault = { kind: 'server_error', status: 500 };
    naver.fault = { kind: 'hang' };
    const { body } = await geocode('부산 해운대구 해운대해변로 264').expect(503);
    expect(body.error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(body.error.details.attempts.map((a: { provider: string; outcome: string }) => [a.provider, a.outcome])).toEqual([
      ['kakao', 'unavailable'],
      ['naver', 'timeout'],
    ]);
  });
});
