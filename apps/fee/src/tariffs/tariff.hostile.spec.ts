import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { jsonInputProblem } from '#contracts';
import { defaultTariff } from './default-tariff.js';
import { compileTariff } from './tariff.pricing.js';
import { validateTariff } from './tariff.validation.js';

/** Values an agency's editor (or anyone with its key) might send in any place of a tariff. */
const odd: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(0, -1, 1.5, 2 ** 53, -(2 ** 60), 1e308, -0, '', ' ', '24:00', '00:00', '25:61', '2026-02-30', 'rain', 'steps', 'bands', 'percent', 'fixed'),
  fc.array(fc.record({ lng: fc.double({ noNaN: true, noDefaultInfinity: true }), lat: fc.double({ noNaN: true, noDefaultInfinity: true }) }), { maxLength: 5 }),
  fc.array(fc.record({ fromMeters: fc.integer({ min: -10, max: 5000 }), toMeters: fc.option(fc.integer({ min: -10, max: 5000 }), { nil: undefined }), amount: fc.integer({ min: -10, max: 5000 }) }), { maxLength: 4 }),
);

/** Every place of the default tariff, and the places of its optional sections. */
const PATHS: string[][] = [
  ['baseFee'], ['baseDistanceMeters'], ['distance'], ['distance', 'kind'], ['distance', 'stepMeters'], ['distance', 'stepFee'], ['distance', 'bands'],
  ['minimumFee'], ['maximumFee'], ['maximumDistanceMeters'], ['serviceArea'], ['surcharges'], ['surcharges', 'night'], ['surcharges', 'weather'],
  ['surcharges', 'holidays'], ['surcharges', 'holidays', 'dates'], ['surcharges', 'peak'], ['surcharges', 'zones'], ['rounding'], ['rounding', 'unit'],
  ['rounding', 'mode'], ['distanceBasis'], ['commission'], ['commission', 'kind'], ['commission', 'percent'], ['commission', 'amount'],
];

/** Sets `path` of a tariff to `value`, making the objects on the way where they are missing. */
function set(tariff: Record<string, any>, path: string[], value: unknown): void {
  let node = tariff;
  for (const key of path.slice(0, -1)) {
    if (node[key] === null || typeof node[key] !== 'object') node[key] = {};
    node = node[key];
  }
  node[path[path.length - 1]] = value;
}

describe('validateTariff on hostile input', () => {
  it('never throws: a tariff changed anywhere is valid (and prices) or answers with problems naming fields', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...PATHS), odd), { minLength: 1, maxLength: 3 }), (changes) => {
        const tariff: Record<string, any> = defaultTariff();
        for (const [path, value] of changes) set(tariff, path, value);
        if (jsonInputProblem(tariff)) return;
        const result = validateTariff(tariff);
        if (result.ok) {
          expect(() => compileTariff(result.value)).not.toThrow();
        } else {
          expect(result.errors.length).toBeGreaterThan(0);
          for (const error of result.errors) expect(error.field).toEqual(expect.any(String));
        }
      }),
      { numRuns: 1500, seed: 20_261_205 },
    );
  });

  it('never throws on a tariff that is anything at all', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (input) => {
        expect(() => validateTariff(input)).not.toThrow();
      }),
      { numRuns: 500, seed: 20_261_205 },
    );
  });
});
