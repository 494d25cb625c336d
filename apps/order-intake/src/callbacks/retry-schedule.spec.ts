import { describe, expect, it } from '@jest/globals';
import { backoffMs } from './retry-schedule.js';

const SCHEDULE = { baseMs: 5000, capMs: 30 * 60_000 };

describe('backoffMs', () => {
  it('starts at the base and doubles, at most the cap, without jitter at its top', () => {
    const top = () => 0;
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, SCHEDULE, top))).toEqual([5000, 10_000, 20_000, 40_000, 80_000]);
    expect(backoffMs(9, SCHEDULE, top)).toBe(1_280_000);
    expect(backoffMs(10, SCHEDULE, top)).toBe(30 * 60_000);
    expect(backoffMs(500, SCHEDULE, top)).toBe(30 * 60_000);
  });

  it('shortens each wait by at most a fifth, so waits still grow until the cap', () => {
    const bottom = () => 1;
    expect([1, 2, 3].map((n) => backoffMs(n, SCHEDULE, bottom))).toEqual([4000, 8000, 16_000]);
    expect(backoffMs(2, SCHEDULE, bottom)).toBeGreaterThan(backoffMs(1, SCHEDULE, () => 0));
    expect(backoffMs(40, SCHEDULE, bottom)).toBe(24 * 60_000);
  });
});
