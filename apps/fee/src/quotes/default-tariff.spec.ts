import { describe, expect, it } from '@jest/globals';
import { priceByDistance } from './default-tariff.js';

describe('priceByDistance with the default tariff', () => {
  it.each([
    [0, 3000],
    [1500, 3000],
    [1501, 3500],
    [2000, 3500],
    [2001, 4000],
    [4800, 6500],
    [10_000, 11_500],
  ])('%i m costs %i KRW', (meters, total) => {
    expect(priceByDistance(meters).total).toBe(total);
  });

  it('itemises base and distance so the items add up to the total', () => {
    const fee = priceByDistance(3200);
    expect(fee.items.map((i) => i.code)).toEqual(['BASE', 'DISTANCE']);
    expect(fee.items.reduce((s, i) => s + i.amount, 0)).toBe(fee.total);
    expect(fee.items[1]).toMatchObject({ amount: 2000 });
  });

  it('adds a rounding line when a step does not land on 100 KRW', () => {
    const fee = priceByDistance(1600, { name: 'default', baseFee: 2950, baseDistanceMeters: 1500, stepMeters: 500, stepFee: 500, roundUpTo: 100 });
    expect(fee.total).toBe(3500);
    expect(fee.items.at(-1)).toEqual({ code: 'ROUNDING', label: expect.any(String), amount: 50 });
  });
});
