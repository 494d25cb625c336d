import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { validateContract, validateFully } from '../common/validation.js';
import { FeeQuoteRequest } from './fee-quote.request.js';

/** The request dispatch sends for every new delivery. */
const usual = () => ({
  agencyId: '4a1d0f2e-5c6b-4e7d-8a9f-1b2c3d4e5f03',
  pickup: { lng: 126.978, lat: 37.5665 },
  dropoff: { lng: 126.9769, lat: 37.5759 },
  orderId: '0b7e7c1c-7a0e-4b8e-8f59-0d0e5c9d4a02',
  at: '2026-11-22T23:10:00+09:00',
});

/** The shortcut may only give what the full validation gives; returns whether it took the request. */
function agreesWithTheContract(body: unknown): boolean {
  const fast = FeeQuoteRequest.plain(body);
  const full = validateFully(FeeQuoteRequest, body);
  if (fast) expect(full).toStrictEqual({ ok: true, value: fast });
  expect(validateContract(FeeQuoteRequest, body)).toStrictEqual(fast ? { ok: true, value: fast } : full);
  return fast !== undefined;
}

describe('FeeQuoteRequest.plain', () => {
  it('reads the usual request, with or without its optional fields, as the contract would', () => {
    expect(agreesWithTheContract(usual())).toBe(true);
    const { orderId: _o, at: _a, ...bare } = usual();
    expect(agreesWithTheContract(bare)).toBe(true);
  });

  it.each<[string, (r: ReturnType<typeof usual>) => unknown]>([
    ['an address instead of a point', ({ dropoff: _d, ...r }) => ({ ...r, dropoffAddress: '서울 중구 세종대로 110' })],
    ['swapped coordinates', (r) => ({ ...r, pickup: { lng: 37.5665, lat: 126.978 } })],
    ['a point with an extra field', (r) => ({ ...r, pickup: { ...r.pickup, alt: 3 } })],
    ['an unknown field', (r) => ({ ...r, surprise: 1 })],
    ['a null order id', (r) => ({ ...r, orderId: null })],
    ['a time that is not one', (r) => ({ ...r, at: '2026-11-22 late' })],
    ['an agency that is not a uuid', (r) => ({ ...r, agencyId: 'agency-1' })],
    ['NaN', (r) => ({ ...r, dropoff: { lng: Number.NaN, lat: 37.5 } })],
    ['an array', (r) => [r]],
  ])('leaves %s to the full validation, with its answer', (_name, change) => {
    expect(agreesWithTheContract(change(usual()))).toBe(false);
  });

  it('agrees with the full validation on requests with any field changed, dropped or added', () => {
    const odd = fc.oneof(
      fc.anything(),
      fc.double(),
      fc.double({ min: 30, max: 135 }),
      fc.constantFrom('', 'x', '2026-11-22T23:10:00Z', '2026-02-30T00:00:00Z', '9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c04', '서울'),
      fc.constant(null),
      fc.constant(undefined),
    );
    const base = usual();
    const fields = [...Object.keys(base), 'pickupAddress', 'dropoffAddress', 'extra'];
    const change = fc.record({
      top: fc.dictionary(fc.constantFrom(...fields), odd, { maxKeys: 2 }),
      drop: fc.subarray(Object.keys(base), { maxLength: 2 }),
      pickup: fc.dictionary(fc.constantFrom('lng', 'lat', 'extra'), odd, { maxKeys: 1 }),
    });
    let shortcut = 0;
    fc.assert(
      fc.property(change, ({ top, drop, pickup }) => {
        const body: Record<string, unknown> = { ...base, pickup: { ...base.pickup, ...pickup }, ...top };
        for (const key of drop) delete body[key];
        if (agreesWithTheContract(body)) shortcut++;
      }),
      { numRuns: 3000 },
    );
    // Not vacuous: many generated requests were still taken by the shortcut.
    expect(shortcut).toBeGreaterThan(100);
  });
});
