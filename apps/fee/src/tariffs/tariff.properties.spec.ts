import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { PricedTrip, Tariff } from './tariff.js';
import { compileTariff, type LngLat } from './tariff.pricing.js';
import { validateTariff } from './tariff.validation.js';

const RUNS = 500;

function clock(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

/** A `[from, to)` window of Seoul time, possibly crossing midnight or ending at 24:00, never empty. */
const windowArb = fc
  .tuple(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 1, max: 1440 }))
  .filter(([from, to]) => from !== to)
  .map(([from, to]) => ({ from: clock(from), to: clock(to) }));

const amountArb = fc.integer({ min: 0, max: 5000 });

/** Axis-aligned rectangles around central Seoul, so zones and areas are simple rings by construction. */
const rectangleArb = fc
  .tuple(fc.double({ min: 126.9, max: 127.1, noNaN: true }), fc.double({ min: 37.45, max: 37.6, noNaN: true }), fc.double({ min: 0.001, max: 0.2, noNaN: true }), fc.double({ min: 0.001, max: 0.2, noNaN: true }))
  .map(([lng, lat, width, height]) => [
    { lng, lat },
    { lng: lng + width, lat },
    { lng: lng + width, lat: lat + height },
    { lng, lat: lat + height },
  ]);

const pointArb: fc.Arbitrary<LngLat> = fc.record({ lng: fc.double({ min: 126.9, max: 127.2, noNaN: true }), lat: fc.double({ min: 37.45, max: 37.7, noNaN: true }) });
const EVERY_POINT = [
  { lng: 126.9, lat: 37.45 },
  { lng: 127.2, lat: 37.45 },
  { lng: 127.2, lat: 37.7 },
  { lng: 126.9, lat: 37.7 },
];

const distanceArb = fc.oneof(
  fc.record({ kind: fc.constant('steps' as const), stepMeters: fc.integer({ min: 1, max: 3000 }), stepFee: amountArb }),
  fc
    .tuple(fc.array(fc.tuple(fc.integer({ min: 1, max: 5000 }), amountArb), { minLength: 1, maxLength: 5 }), fc.boolean())
    .map(([widthsAndRaises, lastOpen]) => ({ kind: 'bands' as const, widthsAndRaises, lastOpen })),
);

/** Tariffs that are valid by construction; the first property checks `validateTariff` agrees. */
const tariffArb: fc.Arbitrary<Tariff> = fc
  .record({
    baseFee: fc.integer({ min: 0, max: 10_000 }),
    baseDistanceMeters: fc.integer({ min: 0, max: 5000 }),
    distance: distanceArb,
    rounding: fc.record({ unit: fc.constantFrom(1, 10, 50, 100, 500, 1000), mode: fc.constantFrom('up' as const, 'down' as const, 'nearest' as const) }),
    minimumUnits: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
    spanUnits: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
    extraDistance: fc.option(fc.integer({ min: 1, max: 30_000 }), { nil: undefined }),
    // Mostly none, else areas that include every generated point: trips outside are the unit tests' business.
    serviceArea: fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 3 },
      { arbitrary: fc.array(fc.record({ name: fc.constant('권역'), polygon: rectangleArb }), { maxLength: 2 }).map((areas) => [...areas, { name: '서울', polygon: EVERY_POINT }]), weight: 1 },
    ),
    surcharges: fc.record(
      {
        night: windowArb.chain((window) => amountArb.map((amount) => ({ ...window, amount }))),
        weather: fc.option(
          fc.record({ mode: fc.constantFrom('rain' as const, 'snow' as const), amount: amountArb, until: fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2027-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()) }),
          { nil: null },
        ),
        holidays: fc.record({ amount: amountArb, dates: fc.uniqueArray(fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2027-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)), { maxLength: 30 }) }),
        peak: fc.array(
          fc.tuple(windowArb, amountArb, fc.option(fc.uniqueArray(fc.constantFrom('mon' as const, 'tue' as const, 'wed' as const, 'thu' as const, 'fri' as const, 'sat' as const, 'sun' as const), { minLength: 1 }), { nil: undefined })).map(([window, amount, days]) => ({ ...window, amount, ...(days ? { days } : {}) })),
          { maxLength: 3 },
        ),
        zones: fc.array(fc.record({ name: fc.constantFrom('언덕', '캠퍼스', '섬'), polygon: rectangleArb, amount: amountArb }), { maxLength: 3 }),
      },
      { requiredKeys: [] },
    ),
    distanceBasis: fc.constantFrom('route' as const, 'straight' as const),
    commission: fc.oneof(
      fc.record({ kind: fc.constant('fixed' as const), amount: fc.integer({ min: 0, max: 20_000 }) }),
      fc.record({ kind: fc.constant('percent' as const), percent: fc.double({ min: 0, max: 100, noNaN: true }) }),
    ),
  })
  .map(({ distance, minimumUnits, spanUnits, extraDistance, serviceArea, ...rest }) => {
    const unit = rest.rounding.unit;
    const minimumFee = minimumUnits === undefined ? undefined : minimumUnits * unit;
    const maximumFee = spanUnits === undefined ? undefined : (minimumFee ?? 0) + spanUnits * unit;
    return {
      ...rest,
      distance: distance.kind === 'steps' ? distance : bandsFrom(rest.baseDistanceMeters, distance.widthsAndRaises, distance.lastOpen),
      ...(minimumFee === undefined ? {} : { minimumFee }),
      ...(maximumFee === undefined ? {} : { maximumFee }),
      ...(extraDistance === undefined ? {} : { maximumDistanceMeters: rest.baseDistanceMeters + extraDistance }),
      ...(serviceArea === undefined ? {} : { serviceArea }),
    };
  });

/** Contiguous bands from the base distance whose amounts only rise. */
function bandsFrom(base: number, widthsAndRaises: [number, number][], lastOpen: boolean): Tariff['distance'] {
  let from = base;
  let amount = 0;
  const bands = widthsAndRaises.map(([width, raise], i) => {
    amount += raise;
    const band = lastOpen && i === widthsAndRaises.length - 1 ? { fromMeters: from, amount } : { fromMeters: from, toMeters: from + width, amount };
    from += width;
    return band;
  });
  return { kind: 'bands', bands };
}

const tripArb = fc.record({
  distanceMeters: fc.integer({ min: 0, max: 25_000 }),
  pickup: pointArb,
  dropoff: pointArb,
  at: fc.date({ min: new Date('2024-12-31T00:00:00Z'), max: new Date('2028-01-02T00:00:00Z'), noInvalidDate: true }),
});

const sum = (items: { amount: number }[]) => items.reduce((total, item) => total + item.amount, 0);

function forEveryPricedTrip(check: (tariff: Tariff, price: PricedTrip) => void): void {
  fc.assert(
    fc.property(tariffArb, tripArb, (tariff, trip) => {
      const price = compileTariff(tariff).price(trip);
      if (price.ok) check(tariff, price);
    }),
    { numRuns: RUNS },
  );
}

describe('tariff properties', () => {
  it('generated tariffs are all valid', () => {
    fc.assert(
      fc.property(tariffArb, (tariff) => {
        expect(validateTariff(tariff)).toEqual({ ok: true, value: tariff });
      }),
      { numRuns: RUNS },
    );
  });

  it('a longer trip never costs less, nor is served where a shorter one is not', () => {
    fc.assert(
      fc.property(tariffArb, tripArb, fc.integer({ min: 0, max: 10_000 }), (tariff, trip, extra) => {
        const compiled = compileTariff(tariff);
        const shorter = compiled.price(trip);
        const longer = compiled.price({ ...trip, distanceMeters: trip.distanceMeters + extra });
        if (longer.ok) {
          expect(shorter.ok).toBe(true);
          if (shorter.ok) expect(longer.total).toBeGreaterThanOrEqual(shorter.total);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('every total lies within [minimumFee, maximumFee], on the rounding unit, and is the sum of its items', () => {
    forEveryPricedTrip((tariff, price) => {
      expect(price.total).toBeGreaterThanOrEqual(tariff.minimumFee ?? 0);
      expect(price.total).toBeLessThanOrEqual(tariff.maximumFee ?? Infinity);
      expect(price.total % tariff.rounding.unit).toBe(0);
      expect(sum(price.items)).toBe(price.total);
      expect(price.items.every((item) => Number.isInteger(item.amount) && item.amount !== 0)).toBe(true);
    });
  });

  it('rider pay is the sum of its items, between 0 and the total', () => {
    forEveryPricedTrip((_, price) => {
      expect(sum(price.riderPay.items)).toBe(price.riderPay.total);
      expect(price.riderPay.total).toBeGreaterThanOrEqual(0);
      expect(price.riderPay.total).toBeLessThanOrEqual(price.total);
      expect(Number.isInteger(price.riderPay.total)).toBe(true);
    });
  });
});
