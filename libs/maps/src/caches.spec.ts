import { describe, expect, it } from '@jest/globals';
import { DetourCalibration } from './detour-calibration.js';
import { InMemoryGeocodeCache, normaliseAddress } from './geocode-cache.js';
import { geohash } from './geohash.js';
import { RouteCache } from './route-cache.js';
import { straightLineMeters } from './turf-estimate.js';

const a = { lng: 126.978, lat: 37.5665 };
const b = { lng: 127.0276, lat: 37.4979 };
const real = { distanceMeters: 11_000, durationSeconds: 1500, provider: 'kakao', estimated: false };

describe('geohash', () => {
  it('matches the reference encoding', () => {
    // Reference value from the geohash definition: (lat 57.64911, lng 10.40744) is u4pruydqqvj.
    expect(geohash({ lng: 10.40744, lat: 57.64911 }, 11)).toBe('u4pruydqqvj');
    expect(geohash(a)).toHaveLength(5);
    expect(geohash(a)).toBe(geohash({ lng: 126.9785, lat: 37.5668 }));
  });
});

describe('RouteCache', () => {
  it('expires entries after the TTL', () => {
    let clock = 0;
    const sut = new RouteCache(1000, 10, () => clock);
    sut.set(a, b, real);
    clock = 999;
    expect(sut.get(a, b)).toEqual(real);
    clock = 1000;
    expect(sut.get(a, b)).toBeUndefined();
  });

  it('evicts the least recently used beyond its size, and never keeps estimates', () => {
    const sut = new RouteCache(60_000, 2);
    const c = { lng: 127.1, lat: 37.5 };
    sut.set(a, b, real);
    sut.set(b, a, real);
    sut.get(a, b);
    sut.set(a, c, real);
    expect(sut.get(b, a)).toBeUndefined();
    expect(sut.get(a, b)).toEqual(real);
    sut.set(c, a, { ...real, provider: 'turf', estimated: true });
    expect(sut.get(c, a)).toBeUndefined();
  });
});

describe('DetourCalibration', () => {
  it('ignores trips under 300 m and moves the factor as an average once it has enough samples', () => {
    const sut = new DetourCalibration({ defaultFactor: 1.3, minSamples: 2, alpha: 0.5 });
    const near = { lng: 126.9785, lat: 37.5667 };
    expect(sut.observe(a, near, 100)).toBe(false);
    const straight = straightLineMeters(a, b);
    expect(sut.observe(a, b, straight * 1.6)).toBe(true);
    expect(sut.factorFor(a)).toMatchObject({ factor: 1.3, source: 'default', samples: 1 });
    sut.observe(a, b, straight * 1.2);
    expect(sut.factorFor(a)).toMatchObject({ factor: 1.4, source: 'calibrated', samples: 2 });
  });

  it('refuses ratios below 1 (a bad pin)', () => {
    const sut = new DetourCalibration({ defaultFactor: 1.3, minSamples: 1 });
    expect(sut.observe(a, b, 100)).toBe(false);
    expect(sut.factorFor(a).source).toBe('default');
  });
});

describe('geocode cache', () => {
  it('normalises spacing, width and case so the same address shares a key', () => {
    expect(normaliseAddress('  서울특별시  중구 세종대로 １１０ ')).toBe(normaliseAddress('서울특별시 중구 세종대로 110'));
    expect(normaliseAddress('Seoul , Jung-gu')).toBe('seoul,jung-gu');
  });

  it('keeps point, provider and time', async () => {
    const sut = new InMemoryGeocodeCache();
    const entry = { point: a, provider: 'naver', geocodedAt: new Date('2026-11-22T10:00:00Z') };
    await sut.set('k', entry);
    expect(await sut.get('k')).toEqual(entry);
    expect(await sut.get('other')).toBeUndefined();
  });
});
