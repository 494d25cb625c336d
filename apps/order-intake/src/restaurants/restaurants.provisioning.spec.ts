import { describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { provisionRestaurant } from './restaurants.provisioning.js';

/** Validation happens before any query, so a data source that fails on use proves nothing was written. */
const untouchable = new Proxy({}, { get: () => { throw new Error('the database must not be used'); } }) as DataSource;

describe('provisionRestaurant input', () => {
  it('refuses swapped coordinates and a bad agency id, naming each field', async () => {
    const sut = provisionRestaurant(untouchable, { agencyId: 'agency-1', name: '식당', address: '서울', lng: 37.56, lat: 126.98 });
    await expect(sut).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: expect.arrayContaining([
        expect.objectContaining({ field: 'agencyId', value: 'agency-1' }),
        expect.objectContaining({ field: 'lng', value: 37.56, reason: expect.stringContaining('swapped') }),
        expect.objectContaining({ field: 'lat', value: 126.98, reason: expect.stringContaining('swapped') }),
      ]),
    });
  });

  it('refuses a callback URL that is not an absolute http(s) URL, naming callbackUrl', async () => {
    for (const callbackUrl of ['ftp://pos.example/cb', '/baecha/callbacks', 'https://user:pw@pos.example/cb']) {
      const sut = provisionRestaurant(untouchable, { agencyId: '2f1c7a52-3f0e-4a51-9a51-0b7b7f0f3a10', name: '식당', address: '서울', lng: 126.98, lat: 37.56, callbackUrl });
      await expect(sut).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'callbackUrl', value: callbackUrl })] });
    }
  });

  it('refuses an empty name', async () => {
    const sut = provisionRestaurant(untouchable, { agencyId: '2f1c7a52-3f0e-4a51-9a51-0b7b7f0f3a10', name: '', address: '서울', lng: 126.98, lat: 37.56 });
    await expect(sut).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'name' })] });
  });
});
