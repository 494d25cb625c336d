import { describe, expect, it } from '@jest/globals';
import { parseInstant } from './instant.js';

describe('parseInstant', () => {
  it.each([
    ['2026-11-01T00:00:00+09:00', '2026-10-31T15:00:00.000Z'],
    ['2026-11-01T00:00+09:00', '2026-10-31T15:00:00.000Z'],
    ['2026-11-01T00:00:00Z', '2026-11-01T00:00:00.000Z'],
    ['2026-11-01T00:00:00.5-05:30', '2026-11-01T05:30:00.500Z'],
    ['2026-11-01T00:00:00.123456789Z', '2026-11-01T00:00:00.123Z'],
    ['2028-02-29T12:00:00+09:00', '2028-02-29T03:00:00.000Z'],
  ])('reads %s as %s', (text, instant) => {
    expect(parseInstant(text)?.toISOString()).toBe(instant);
  });

  it.each([
    ['30 February', '2026-02-30T00:00:00+09:00'],
    ['29 February of a common year', '2027-02-29T00:00:00+09:00'],
    ['31 April', '2026-04-31T00:00:00Z'],
    ['month 13', '2026-13-01T00:00:00Z'],
    ['hour 25', '2026-11-01T25:00:00Z'],
    ['minute 60', '2026-11-01T23:60:00Z'],
    ['an offset of 25 hours', '2026-11-01T00:00:00+25:00'],
    ['no offset', '2026-11-01T00:00:00'],
    ['a date alone', '2026-11-01'],
    ['ten fraction digits', '2026-11-01T00:00:00.1234567890Z'],
    ['a space for the T', '2026-11-01 00:00:00Z'],
    ['words', 'tomorrow'],
    ['a number', 1_793_491_200_000],
    ['null', null],
  ])('refuses %s', (_what, value) => {
    expect(parseInstant(value)).toBeUndefined();
  });
});
