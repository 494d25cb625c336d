import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { LngLat } from '#contracts';
import { GridRiderIndex } from './grid-rider-index.js';
import { LinearRiderIndex } from './linear-rider-index.js';
import type { RiderIndex } from './rider-index.js';
import { loadConfig } from '#config';
import { createRiderIndex } from './rider-index.choice.js';

const CITY_HALL = { lng: 126.978, lat: 37.5665 };
const AGENCIES = ['agency-a', 'agency-b', 'agency-c'];
/** Degrees of latitude per metre as the grid computes its cells, to put riders exactly on cell edges. */
const DEGREES_PER_METER_LAT = 1 / ((6_371_008.8 * Math.PI) / 180);
const DEGREES_PER_METER_LNG = DEGREES_PER_METER_LAT / Math.cos((36 * Math.PI) / 180);

type Op = { kind: 'upsert'; rider: number; agency: number; point: LngLat } | { kind: 'remove'; rider: number };

/** Points in a 6 × 6 km square of central Seoul, many of them exactly on (or one ulp off) cell edges and corners. */
const pointArb = (cellMeters: number): fc.Arbitrary<LngLat> =>
  fc.oneof(
    fc.record({ lng: fc.double({ min: 126.95, max: 127.02, noNaN: true }), lat: fc.double({ min: 37.54, max: 37.595, noNaN: true }) }),
    fc
      .tuple(fc.integer({ min: -12, max: 12 }), fc.integer({ min: -12, max: 12 }), fc.boolean(), fc.boolean())
      .map(([i, j, snapLng, snapLat]) => {
        const cellLng = cellMeters * DEGREES_PER_METER_LNG;
        const cellLat = cellMeters * DEGREES_PER_METER_LAT;
        return {
          lng: snapLng ? (Math.floor(CITY_HALL.lng / cellLng) + i) * cellLng : CITY_HALL.lng + i * 0.0007,
          lat: snapLat ? (Math.floor(CITY_HALL.lat / cellLat) + j) * cellLat : CITY_HALL.lat + j * 0.0007,
        };
      }),
    // Shared positions, so that ties are broken by riderId.
    fc.constantFrom(CITY_HALL, { lng: 126.99, lat: 37.57 }),
  );

/** Up to 600 riders placed, then moves, agency changes and removals among them. */
const opsArb = (cellMeters: number) =>
  fc
    .tuple(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), pointArb(cellMeters)), { maxLength: 600, size: 'max' }),
      fc.array(
        fc.oneof(
          { weight: 4, arbitrary: fc.record({ kind: fc.constant('upsert' as const), rider: fc.integer({ min: 0, max: 700 }), agency: fc.integer({ min: 0, max: 2 }), point: pointArb(cellMeters) }) },
          { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), rider: fc.integer({ min: 0, max: 700 }) }) },
        ),
        { maxLength: 200, size: 'max' },
      ),
    )
    .map(([placed, changes]): Op[] => [...placed.map(([agency, point], rider): Op => ({ kind: 'upsert', rider, agency, point })), ...changes]);

const queryArb = (cellMeters: number) =>
  fc.record({
    agency: fc.integer({ min: 0, max: 2 }),
    point: pointArb(cellMeters),
    limit: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 40 })),
    maxMeters: fc.option(fc.double({ min: 0, max: 8000, noNaN: true }), { nil: undefined }),
  });

const riderId = (n: number) => `rider-${String(n).padStart(3, '0')}`;

function apply(index: RiderIndex, ops: Op[]): void {
  for (const op of ops) {
    if (op.kind === 'upsert') index.upsert(riderId(op.rider), AGENCIES[op.agency], op.point);
    else index.remove(riderId(op.rider));
  }
}

describe('GridRiderIndex', () => {
  for (const cellMeters of [20, 250, 2000]) {
    it(`answers exactly what the linear scan answers, ids, distances and order, with ${cellMeters} m cells`, () => {
      fc.assert(
        fc.property(opsArb(cellMeters), fc.array(queryArb(cellMeters), { minLength: 1, maxLength: 20 }), (ops, queries) => {
          const sut = new GridRiderIndex({ cellMeters });
          const linear = new LinearRiderIndex();
          apply(sut, ops);
          apply(linear, ops);
          expect(sut.size()).toBe(linear.size());
          for (const q of queries) {
            const expected = linear.nearest(AGENCIES[q.agency], q.point, q.limit, q.maxMeters);
            const actual = sut.nearest(AGENCIES[q.agency], q.point, q.limit, q.maxMeters);
            expect(actual.map((r) => [r.riderId, r.distanceMeters])).toEqual(expected.map((r) => [r.riderId, r.distanceMeters]));
            expect(actual.map((r) => r.point)).toEqual(expected.map((r) => r.point));
          }
        }),
        { numRuns: 150, endOnFailure: true },
      );
    });
  }

  it('finds riders far away when the agency has only a few, spread across the country', () => {
    const sut = new GridRiderIndex();
    sut.upsert('busan', 'a', { lng: 129.0756, lat: 35.1796 });
    sut.upsert('jeju', 'a', { lng: 126.5312, lat: 33.4996 });
    sut.upsert('seoul', 'a', { lng: 126.978, lat: 37.5665 });
    // Busan to Jeju is about 290 km, to Seoul about 325 km.
    expect(sut.nearest('a', { lng: 129.06, lat: 35.17 }, 3).map((r) => r.riderId)).toEqual(['busan', 'jeju', 'seoul']);
    expect(sut.nearest('a', { lng: 129.06, lat: 35.17 }, 3, 10_000).map((r) => r.riderId)).toEqual(['busan']);
  });

  it("never returns another agency's rider, even one standing on the pickup", () => {
    const sut = new GridRiderIndex();
    sut.upsert('theirs', 'b', CITY_HALL);
    sut.upsert('ours', 'a', { lng: 127.0, lat: 37.58 });
    expect(sut.nearest('a', CITY_HALL, 5).map((r) => r.riderId)).toEqual(['ours']);
    expect(sut.nearest('c', CITY_HALL, 5)).toEqual([]);
  });

  it('follows a rider that moves across cells, changes agency, or goes away', () => {
    const sut = new GridRiderIndex({ cellMeters: 100 });
    sut.upsert('r1', 'a', CITY_HALL);
    sut.upsert('r2', 'a', { lng: 126.99, lat: 37.57 });
    sut.upsert('r1', 'a', { lng: 127.05, lat: 37.5 });
    expect(sut.nearest('a', CITY_HALL, 1).map((r) => r.riderId)).toEqual(['r2']);
    sut.upsert('r2', 'b', { lng: 126.99, lat: 37.57 });
    expect(sut.nearest('a', CITY_HALL, 5).map((r) => r.riderId)).toEqual(['r1']);
    expect(sut.nearest('b', CITY_HALL, 5).map((r) => r.riderId)).toEqual(['r2']);
    sut.remove('r1');
    sut.remove('r1');
    expect(sut.nearest('a', CITY_HALL, 5)).toEqual([]);
    expect(sut.size()).toBe(1);
  });
});

/** The index the configuration names, as the riders module builds it. */
const riderIndexFromEnv = (env: Record<string, string>) => createRiderIndex(loadConfig(env).dispatch.riderIndex);

describe('the configured rider index', () => {
  it('is the grid unless DISPATCH_RIDER_INDEX says linear, and refuses anything else by name', () => {
    expect(riderIndexFromEnv({})).toBeInstanceOf(GridRiderIndex);
    expect(riderIndexFromEnv({ DISPATCH_RIDER_INDEX: 'linear' })).toBeInstanceOf(LinearRiderIndex);
    expect(() => riderIndexFromEnv({ DISPATCH_RIDER_INDEX: 'kdtree' })).toThrow(/DISPATCH_RIDER_INDEX/);
  });
});
