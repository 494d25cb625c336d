import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { straightLineMeters as turfMeters } from '#maps';
import { straightLineMeters } from './geometry.js';

describe('straightLineMeters', () => {
  it("equals the map layer's Turf distance to the last bit, anywhere on earth", () => {
    const point = fc.record({ lng: fc.double({ min: -180, max: 180, noNaN: true }), lat: fc.double({ min: -90, max: 90, noNaN: true }) });
    fc.assert(fc.property(point, point, (a, b) => Object.is(straightLineMeters(a, b), turfMeters(a, b))), { numRuns: 5000 });
  });

  it('measures Seoul City Hall to Gangnam station as about 8.8 km', () => {
    expect(straightLineMeters({ lng: 126.978, lat: 37.5665 }, { lng: 127.0276, lat: 37.4979 })).toBeCloseTo(8_793, 0);
  });
});
