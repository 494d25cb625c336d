import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { validateContract } from '#contracts';
import { LocationReport, readLocation } from './rider-messages.js';

/** `readLocation` takes the usual position without the contract's validation: it must agree with it on everything. */
describe('readLocation', () => {
  const agreesWithTheContract = (body: unknown) => {
    const fast = readLocation(body);
    const full = validateContract(LocationReport, body);
    expect(fast.ok).toBe(full.ok);
    if (fast.ok && full.ok) {
      expect(fast.value).toBeInstanceOf(LocationReport);
      expect({ ...fast.value }).toEqual({ ...full.value });
    } else if (!fast.ok && !full.ok) {
      expect(fast.errors).toEqual(full.errors);
    }
  };

  it.each([
    ['a point in Seoul', { lng: 126.978, lat: 37.5665 }],
    ['the bounds themselves', { lng: 124, lat: 39 }],
    ['lng and lat swapped', { lng: 37.5665, lat: 126.978 }],
    ['just west of the bounds', { lng: 123.9, lat: 37.5 }],
    ['a string number', { lng: '126.978', lat: 37.5665 }],
    ['NaN', { lng: Number.NaN, lat: 37.5 }],
    ['infinity', { lng: Number.POSITIVE_INFINITY, lat: 37.5 }],
    ['a missing lat', { lng: 126.978 }],
    ['a third field', { lng: 126.978, lat: 37.5665, speed: 12 }],
    ['a time', { lng: 126.978, lat: 37.5665, at: '2026-11-22T03:15:55.349Z' }],
    ['a bad time', { lng: 126.978, lat: 37.5665, at: 'yesterday' }],
    ['an array', [126.978, 37.5665]],
    ['null', null],
    ['a number', 42],
  ])('agrees with the contract on %s', (_name, body) => agreesWithTheContract(body));

  it('agrees with the contract on any object of numbers and other values', () => {
    // Mostly near South Korea's bounds, where the two could disagree, and some of anything else.
    const coordinate = (min: number, max: number) =>
      fc.oneof(
        { arbitrary: fc.double({ min: min - 1, max: max + 1, noNaN: true }), weight: 6 },
        fc.constantFrom(min, max, min - Number.EPSILON * 1000, max + Number.EPSILON * 1000, -0, Number.NaN),
        fc.double(),
        fc.string(),
        fc.constant(null),
      );
    fc.assert(
      fc.property(
        fc.record({ lng: coordinate(124, 132), lat: coordinate(33, 39), extra: fc.option(fc.anything(), { nil: undefined }) }, { requiredKeys: [] }),
        (body) => agreesWithTheContract(body),
      ),
      { numRuns: 2000 },
    );
  });
});
