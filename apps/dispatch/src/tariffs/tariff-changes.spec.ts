import { describe, expect, it } from '@jest/globals';
import { tariffChanges } from './tariff-changes.js';

describe('tariffChanges', () => {
  it('names each changed field by its path, with its value before and after, and leaves the unchanged out', () => {
    const before = { baseFee: 3000, perKm: 500, surcharges: { night: { from: '22:00', amount: 500 }, weather: null }, zones: [{ name: 'a' }] };
    const after = { baseFee: 3500, perKm: 500, surcharges: { night: { from: '22:00', amount: 700 }, weather: { mode: 'rain', amount: 1000 } }, zones: [{ name: 'b' }] };
    expect(tariffChanges(before, after)).toEqual({
      before: { baseFee: 3000, 'surcharges.night.amount': 500, 'surcharges.weather.mode': null, 'surcharges.weather.amount': null, zones: [{ name: 'a' }] },
      after: { baseFee: 3500, 'surcharges.night.amount': 700, 'surcharges.weather.mode': 'rain', 'surcharges.weather.amount': 1000, zones: [{ name: 'b' }] },
    });
  });

  it('shows a field added or removed as null on the side it is missing from, and the first version against nothing', () => {
    expect(tariffChanges({ maxDistanceMeters: 20000 }, { minimumFee: 1000 })).toEqual({
      before: { maxDistanceMeters: 20000, minimumFee: null },
      after: { maxDistanceMeters: null, minimumFee: 1000 },
    });
    expect(tariffChanges(null, { baseFee: 1 })).toEqual({ before: { baseFee: null }, after: { baseFee: 1 } });
    expect(tariffChanges({ baseFee: 1 }, { baseFee: 1 })).toEqual({ before: {}, after: {} });
  });
});
