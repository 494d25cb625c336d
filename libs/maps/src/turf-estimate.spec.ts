import { describe, expect, it } from '@jest/globals';
import { straightLineMeters, TurfEstimate } from './turf-estimate.js';

// Seoul City Hall and Gangnam Station; the haversine distance computed independently is about 8.8 km.
const cityHall = { lng: 126.978, lat: 37.5665 };
const gangnam = { lng: 127.0276, lat: 37.4979 };

describe('TurfEstimate', () => {
  it('measures the straight line in metres', () => {
    expect(straightLineMeters(cityHall, gangnam)).toBeGreaterThan(8700);
    expect(straightLineMeters(cityHall, gangnam)).toBeLessThan(8900);
  });

  it('applies the detour factor and marks the result as an estimate', async () => {
    const sut = new TurfEstimate(1.3);
    const route = await sut.route(cityHall, gangnam);
    expect(route.provider).toBe('turf');
    expect(route.estimated).toBe(true);
    expect(route.detourFactor).toBe(1.3);
    expect(route.factorSource).toBe('default');
    expect(route.distanceMeters).toBe(Math.round(straightLineMeters(cityHall, gangnam) * 1.3));
    expect(route.durationSeconds).toBe(Math.round(route.distanceMeters / (20_000 / 3600)));
  });

  it('gives zero for the same point', async () => {
    expect((await new TurfEstimate(1.3).route(cityHall, cityHall)).distanceMeters).toBe(0);
  });
});
