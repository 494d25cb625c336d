import { describe, expect, it } from '@jest/globals';
import { defaultTariff } from './default-tariff.js';
import type { FeeItem } from '#contracts';
import type { Commission, Rounding, Tariff, WeatherMode } from './tariff.js';
import { compileTariff, priceTrip, type LngLat, type Trip, type TripPrice } from './tariff.pricing.js';

/** The default tariff without its holiday list nor its distance limit: 3,000 KRW to 1.5 km, 500 KRW per started 500 m, rounded up to 100, no commission. */
function plain(overrides: Partial<Tariff> = {}): Tariff {
  const { maximumDistanceMeters: _limit, ...terms } = defaultTariff();
  return { ...terms, surcharges: {}, ...overrides };
}

// A 0.002° square near Seoul City Hall; points on its edges and corners are used below.
const SQUARE = [
  { lng: 127.0, lat: 37.5 },
  { lng: 127.002, lat: 37.5 },
  { lng: 127.002, lat: 37.502 },
  { lng: 127.0, lat: 37.502 },
];
const INSIDE: LngLat = { lng: 127.001, lat: 37.501 };
const OUTSIDE: LngLat = { lng: 127.003, lat: 37.501 };
const ON_EDGE: LngLat = { lng: 127.002, lat: 37.501 };
const ON_CORNER: LngLat = { lng: 127.0, lat: 37.502 };

/** A Wednesday afternoon in Seoul: no night, peak or holiday. */
const WEEKDAY_AFTERNOON = '2026-11-18T14:00:00+09:00';

function quote(tariff: Tariff, trip: Partial<Omit<Trip, 'at'>> & { at?: string } = {}): TripPrice {
  return priceTrip(tariff, {
    distanceMeters: trip.distanceMeters ?? 1000,
    pickup: trip.pickup ?? INSIDE,
    dropoff: trip.dropoff ?? INSIDE,
    at: new Date(trip.at ?? WEEKDAY_AFTERNOON),
  });
}

function priced(result: TripPrice) {
  if (!result.ok) throw new Error(`expected a price, got ${result.reason}: ${result.message}`);
  return result;
}

/** The amount of each item by code, so one assertion shows the whole breakdown. */
function breakdown(result: TripPrice): Record<string, number> {
  return Object.fromEntries(priced(result).items.map((item) => [item.code, item.amount]));
}

describe('distance by steps', () => {
  it.each([
    [0, 3000, {}],
    [1500, 3000, {}],
    [1501, 3500, { DISTANCE: 500 }],
    [2000, 3500, { DISTANCE: 500 }],
    [2001, 4000, { DISTANCE: 1000 }],
    [10_000, 11_500, { DISTANCE: 8500 }],
  ])('%i m costs %i KRW', (distanceMeters, total, extra) => {
    const result = priced(quote(plain(), { distanceMeters }));
    expect(result.total).toBe(total);
    expect(breakdown(result)).toEqual({ BASE: 3000, ...extra });
  });

  it('labels the base and each step so a rider can check the sum', () => {
    expect(priced(quote(plain(), { distanceMeters: 2600 })).items).toEqual([
      { code: 'BASE', label: '기본요금 (1.5km까지)', amount: 3000 },
      { code: 'DISTANCE', label: '거리 할증 (500m당 500원 × 3)', amount: 1500 },
    ]);
  });

  it('leaves out a zero base fee rather than listing 0 KRW', () => {
    expect(priced(quote(plain({ baseFee: 0 }), { distanceMeters: 1600 })).items.map((i) => i.code)).toEqual(['DISTANCE']);
  });
});

describe('distance by bands', () => {
  const open = plain({
    distance: {
      kind: 'bands',
      bands: [
        { fromMeters: 1500, toMeters: 3000, amount: 1000 },
        { fromMeters: 3000, toMeters: 5000, amount: 2000 },
        { fromMeters: 5000, amount: 3500 },
      ],
    },
  });

  it.each([
    [1500, 3000],
    [1501, 4000],
    [3000, 4000],
    [3001, 5000],
    [5000, 5000],
    [5001, 6500],
    [40_000, 6500],
  ])('%i m costs %i KRW', (distanceMeters, total) => {
    expect(priced(quote(open, { distanceMeters })).total).toBe(total);
  });

  it('labels the band the trip fell in', () => {
    expect(priced(quote(open, { distanceMeters: 4000 })).items[1]).toEqual({ code: 'DISTANCE', label: '거리 할증 (3km 초과 5km까지)', amount: 2000 });
    expect(priced(quote(open, { distanceMeters: 6000 })).items[1]).toEqual({ code: 'DISTANCE', label: '거리 할증 (5km 초과)', amount: 3500 });
  });

  it('does not serve trips beyond a last band that has an end', () => {
    const closed = plain({ distance: { kind: 'bands', bands: [{ fromMeters: 1500, toMeters: 3000, amount: 1000 }] } });
    expect(priced(quote(closed, { distanceMeters: 3000 })).total).toBe(4000);
    expect(quote(closed, { distanceMeters: 3001 })).toMatchObject({ ok: false, reason: 'BEYOND_MAX_DISTANCE' });
  });
});

describe('maximum distance', () => {
  it.each([
    [8000, true],
    [8001, false],
  ])('%i m against a maximum of 8000 m: served %s', (distanceMeters, served) => {
    const result = quote(plain({ maximumDistanceMeters: 8000 }), { distanceMeters });
    if (served) expect(priced(result).total).toBe(9500);
    else expect(result).toEqual({ ok: false, reason: 'BEYOND_MAX_DISTANCE', message: "8001 m is beyond the agency's maximum of 8000 m" });
  });
});

describe('night surcharge 22:00–06:00 (crosses midnight), Seoul time', () => {
  const night = plain({ surcharges: { night: { from: '22:00', to: '06:00', amount: 1000 } } });

  it.each([
    ['2026-11-20T21:59:00+09:00', 3000],
    ['2026-11-20T22:00:00+09:00', 4000],
    ['2026-11-20T23:59:00+09:00', 4000],
    ['2026-11-21T00:00:00+09:00', 4000],
    ['2026-11-21T05:59:00+09:00', 4000],
    ['2026-11-21T06:00:00+09:00', 3000],
    // 23:00 UTC is 08:00 the next morning in Seoul: no night surcharge.
    ['2026-11-20T23:00:00Z', 3000],
  ])('at %s costs %i KRW', (at, total) => {
    const result = priced(quote(night, { at }));
    expect(result.total).toBe(total);
    expect(result.items.filter((i) => i.code === 'NIGHT')).toEqual(total === 4000 ? [{ code: 'NIGHT', label: '심야 할증', amount: 1000 }] : []);
  });

  it.each([
    ['2026-11-20T00:59:00+09:00', 3000],
    ['2026-11-20T01:00:00+09:00', 4000],
    ['2026-11-20T04:59:00+09:00', 4000],
    ['2026-11-20T05:00:00+09:00', 3000],
  ])('a window within one day (01:00–05:00) at %s costs %i KRW', (at, total) => {
    expect(priced(quote(plain({ surcharges: { night: { from: '01:00', to: '05:00', amount: 1000 } } }), { at })).total).toBe(total);
  });
});

describe('weather surcharge', () => {
  const until = '2026-11-20T18:00:00+09:00';

  it.each<[WeatherMode['mode'], string, FeeItem[]]>([
    ['rain', '2026-11-20T17:59:00+09:00', [{ code: 'WEATHER', label: '우천 할증', amount: 700 }]],
    ['rain', '2026-11-20T18:00:00+09:00', []],
    ['snow', '2026-11-20T17:59:00+09:00', [{ code: 'WEATHER', label: '강설 할증', amount: 700 }]],
    ['snow', '2026-11-20T09:00:00Z', []],
  ])('%s mode at %s', (mode, at, weatherItems) => {
    const result = priced(quote(plain({ surcharges: { weather: { mode, amount: 700, until } } }), { at }));
    expect(result.items.filter((i) => i.code === 'WEATHER')).toEqual(weatherItems);
    expect(result.total).toBe(weatherItems.length > 0 ? 3700 : 3000);
  });

  it('charges nothing when weather mode is off (null)', () => {
    expect(priced(quote(plain({ surcharges: { weather: null } }))).total).toBe(3000);
  });
});

describe('holiday surcharge on Seoul dates', () => {
  const holiday = plain({ surcharges: { holidays: { amount: 1000, dates: ['2026-12-25'] } } });

  it.each([
    ['2026-12-24T23:59:00+09:00', 3000],
    // Still 24 December in UTC, already Christmas in Seoul.
    ['2026-12-25T00:00:00+09:00', 4000],
    ['2026-12-24T15:00:00Z', 4000],
    ['2026-12-25T23:59:00+09:00', 4000],
    ['2026-12-26T00:00:00+09:00', 3000],
  ])('at %s costs %i KRW', (at, total) => {
    const result = priced(quote(holiday, { at }));
    expect(result.total).toBe(total);
    if (total === 4000) expect(result.items[1]).toEqual({ code: 'HOLIDAY', label: '공휴일 할증', amount: 1000 });
  });

  it('lists no holiday line while the amount is 0, as in the default tariff', () => {
    expect(priced(quote(defaultTariff(), { at: '2026-12-25T12:00:00+09:00' })).items).toEqual([
      { code: 'BASE', label: '기본요금 (1.5km까지)', amount: 3000 },
    ]);
  });
});

describe('peak surcharges by weekday', () => {
  const peaks = plain({
    surcharges: {
      peak: [
        { from: '11:00', to: '13:00', label: '점심 피크', days: ['mon', 'tue', 'wed', 'thu', 'fri'], amount: 500 },
        { from: '22:00', to: '02:00', label: '금요일 밤', days: ['fri'], amount: 800 },
        { from: '18:00', to: '24:00', amount: 300 },
      ],
    },
  });

  // 2026-11-20 is a Friday, 2026-11-21 a Saturday.
  it.each([
    ['Friday 10:59', '2026-11-20T10:59:00+09:00', []],
    ['Friday 11:00', '2026-11-20T11:00:00+09:00', [['점심 피크', 500]]],
    ['Friday 12:59', '2026-11-20T12:59:00+09:00', [['점심 피크', 500]]],
    ['Friday 13:00', '2026-11-20T13:00:00+09:00', []],
    ['Saturday 12:00', '2026-11-21T12:00:00+09:00', []],
    ['Friday 01:00 (started Thursday night)', '2026-11-20T01:00:00+09:00', []],
    ['Friday 22:00', '2026-11-20T22:00:00+09:00', [['금요일 밤', 800], ['피크 시간 할증', 300]]],
    ['Friday 23:59', '2026-11-20T23:59:00+09:00', [['금요일 밤', 800], ['피크 시간 할증', 300]]],
    ['Saturday 00:00 (started Friday night)', '2026-11-21T00:00:00+09:00', [['금요일 밤', 800]]],
    ['Saturday 01:59 (started Friday night)', '2026-11-21T01:59:00+09:00', [['금요일 밤', 800]]],
    ['Saturday 02:00', '2026-11-21T02:00:00+09:00', []],
    ['Saturday 23:00', '2026-11-21T23:00:00+09:00', [['피크 시간 할증', 300]]],
  ])('%s', (_, at, expected) => {
    const result = priced(quote(peaks, { at }));
    expect(result.items.filter((i) => i.code === 'PEAK').map((i) => [i.label, i.amount])).toEqual(expected);
    expect(result.total).toBe(3000 + expected.reduce((sum, [, amount]) => sum + (amount as number), 0));
  });
});

describe('zone surcharges on the drop-off', () => {
  const zoned = plain({ surcharges: { zones: [{ name: '언덕', polygon: SQUARE, amount: 500 }] } });

  it.each([
    ['inside', INSIDE, 3500],
    ['outside', OUTSIDE, 3000],
    ['exactly on an edge', ON_EDGE, 3500],
    ['exactly on a corner', ON_CORNER, 3500],
  ])('a drop-off %s', (_, dropoff, total) => {
    const result = priced(quote(zoned, { pickup: OUTSIDE, dropoff }));
    expect(result.total).toBe(total);
    if (total === 3500) expect(result.items[1]).toEqual({ code: 'ZONE', label: '지역 할증 (언덕)', amount: 500 });
  });

  it('ignores a pickup inside the zone', () => {
    expect(priced(quote(zoned, { pickup: INSIDE, dropoff: OUTSIDE })).total).toBe(3000);
  });

  it('adds each zone the drop-off lies in, closed ring or not', () => {
    const twice = plain({
      surcharges: {
        zones: [
          { name: '언덕', polygon: SQUARE, amount: 500 },
          { name: '캠퍼스', polygon: [...SQUARE, SQUARE[0]], amount: 300 },
        ],
      },
    });
    expect(priced(quote(twice)).items.slice(1)).toEqual([
      { code: 'ZONE', label: '지역 할증 (언덕)', amount: 500 },
      { code: 'ZONE', label: '지역 할증 (캠퍼스)', amount: 300 },
    ]);
  });
});

describe('service area', () => {
  const served = plain({ serviceArea: [{ name: '중구', polygon: SQUARE }], maximumDistanceMeters: 5000 });

  it.each([
    [INSIDE, INSIDE, undefined],
    [ON_EDGE, ON_CORNER, undefined],
    [OUTSIDE, INSIDE, "the pickup lies outside the agency's service area"],
    [INSIDE, OUTSIDE, "the drop-off lies outside the agency's service area"],
    [OUTSIDE, OUTSIDE, "the pickup and the drop-off lie outside the agency's service area"],
  ])('pickup %o, drop-off %o', (pickup, dropoff, message) => {
    const expected = message === undefined ? { ok: true } : { ok: false, reason: 'OUTSIDE_SERVICE_AREA', message };
    expect(compileTariff(served).checkServiceArea(pickup, dropoff)).toEqual(expected);
    if (message === undefined) expect(priced(quote(served, { pickup, dropoff })).total).toBe(3000);
    else expect(quote(served, { pickup, dropoff })).toEqual(expected);
  });

  it('is checked before the distance: a far trip outside the area is OUTSIDE_SERVICE_AREA', () => {
    expect(quote(served, { pickup: OUTSIDE, distanceMeters: 9000 })).toMatchObject({ ok: false, reason: 'OUTSIDE_SERVICE_AREA' });
  });

  it('accepts a point in any one of several areas', () => {
    const east = SQUARE.map((p) => ({ lng: p.lng + 0.002, lat: p.lat }));
    const two = plain({ serviceArea: [{ name: '서', polygon: SQUARE }, { name: '동', polygon: east }] });
    expect(compileTariff(two).checkServiceArea(INSIDE, OUTSIDE)).toEqual({ ok: true });
  });

  it('serves everywhere without a service area', () => {
    expect(compileTariff(plain()).checkServiceArea({ lng: 0, lat: 0 }, { lng: 179, lat: -89 })).toEqual({ ok: true });
  });
});

describe('rounding', () => {
  it.each<[number, number, Rounding['mode'], number, FeeItem | undefined]>([
    [2950, 100, 'up', 3000, { code: 'ROUNDING', label: '100원 단위 올림', amount: 50 }],
    [2950, 100, 'down', 2900, { code: 'ROUNDING', label: '100원 단위 내림', amount: -50 }],
    [2950, 100, 'nearest', 3000, { code: 'ROUNDING', label: '100원 단위 반올림', amount: 50 }],
    [2949, 100, 'nearest', 2900, { code: 'ROUNDING', label: '100원 단위 반올림', amount: -49 }],
    [3499, 1000, 'nearest', 3000, { code: 'ROUNDING', label: '1000원 단위 반올림', amount: -499 }],
    [3010, 50, 'up', 3050, { code: 'ROUNDING', label: '50원 단위 올림', amount: 40 }],
    [3000, 100, 'down', 3000, undefined],
    [2951, 1, 'up', 2951, undefined],
  ])('%i KRW to the %i in mode %s is %i', (baseFee, unit, mode, total, item) => {
    const result = priced(quote(plain({ baseFee, rounding: { unit, mode } })));
    expect(result.total).toBe(total);
    expect(result.items).toEqual([{ code: 'BASE', label: '기본요금 (1.5km까지)', amount: baseFee }, ...(item ? [item] : [])]);
  });
});

describe('minimum and maximum fee', () => {
  const clamped = plain({ minimumFee: 4000, maximumFee: 6000 });

  it.each([
    [1000, 4000, { BASE: 3000, MINIMUM: 1000 }],
    [2001, 4000, { BASE: 3000, DISTANCE: 1000 }],
    [4001, 6000, { BASE: 3000, DISTANCE: 3000 }],
    [10_000, 6000, { BASE: 3000, DISTANCE: 8500, MAXIMUM: -5500 }],
  ])('%i m costs %i KRW', (distanceMeters, total, items) => {
    const result = priced(quote(clamped, { distanceMeters }));
    expect(result.total).toBe(total);
    expect(breakdown(result)).toEqual(items);
  });

  it('clamps after rounding, with Korean labels', () => {
    const result = priced(quote(plain({ baseFee: 2950, minimumFee: 3500 })));
    expect(result.items).toEqual([
      { code: 'BASE', label: '기본요금 (1.5km까지)', amount: 2950 },
      { code: 'ROUNDING', label: '100원 단위 올림', amount: 50 },
      { code: 'MINIMUM', label: '최소 요금 보정', amount: 500 },
    ]);
    expect(priced(quote(plain({ maximumFee: 2000 }))).items[1]).toEqual({ code: 'MAXIMUM', label: '최대 요금 상한', amount: -1000 });
  });
});

describe('rider pay and commission', () => {
  // 3.6 km: 3,000 base + 5 steps of 500 = 5,500 KRW.
  it.each<[Commission, string, number]>([
    [{ kind: 'fixed', amount: 0 }, '대행 수수료', 0],
    [{ kind: 'fixed', amount: 500 }, '대행 수수료', 500],
    [{ kind: 'fixed', amount: 9000 }, '대행 수수료', 5500],
    [{ kind: 'percent', percent: 10 }, '대행 수수료 (10%)', 550],
    // 3.3 % of 5,500 is 181.5: the rider keeps the half won.
    [{ kind: 'percent', percent: 3.3 }, '대행 수수료 (3.3%)', 181],
    [{ kind: 'percent', percent: 100 }, '대행 수수료 (100%)', 5500],
  ])('commission %o: the agency keeps %s %i KRW of 5,500', (commission, label, kept) => {
    const result = priced(quote(plain({ commission }), { distanceMeters: 3600 }));
    expect(result.total).toBe(5500);
    expect(result.riderPay).toEqual({
      total: 5500 - kept,
      items: [
        { code: 'FEE', label: '배달료', amount: 5500 },
        { code: 'COMMISSION', label, amount: 0 - kept },
      ],
    });
  });

  it('writes no commission as 0, not -0', () => {
    expect(Object.is(priced(quote(plain())).riderPay.items[1].amount, 0)).toBe(true);
  });
});

describe('a trip with every surcharge', () => {
  const everything = plain({
    baseFee: 2950,
    minimumFee: 4000,
    maximumFee: 20_000,
    surcharges: {
      night: { from: '22:00', to: '06:00', amount: 1000 },
      weather: { mode: 'snow', amount: 700, until: '2026-12-26T06:00:00+09:00' },
      holidays: { amount: 1500, dates: ['2026-12-25'] },
      peak: [{ from: '22:00', to: '23:00', days: ['fri'], amount: 400 }],
      zones: [{ name: '남산', polygon: SQUARE, amount: 600 }],
    },
    commission: { kind: 'percent', percent: 3.3 },
  });

  it('lists the items in a fixed order and adds them up to the total', () => {
    const result = priced(quote(everything, { distanceMeters: 3200, at: '2026-12-25T22:30:00+09:00' }));
    expect(result.items).toEqual([
      { code: 'BASE', label: '기본요금 (1.5km까지)', amount: 2950 },
      { code: 'DISTANCE', label: '거리 할증 (500m당 500원 × 4)', amount: 2000 },
      { code: 'NIGHT', label: '심야 할증', amount: 1000 },
      { code: 'WEATHER', label: '강설 할증', amount: 700 },
      { code: 'HOLIDAY', label: '공휴일 할증', amount: 1500 },
      { code: 'PEAK', label: '피크 시간 할증', amount: 400 },
      { code: 'ZONE', label: '지역 할증 (남산)', amount: 600 },
      { code: 'ROUNDING', label: '100원 단위 올림', amount: 50 },
    ]);
    expect(result.total).toBe(9200);
    expect(result.riderPay.total).toBe(9200 - 303);
  });

  it('prices the same through a compiled tariff, trip after trip', () => {
    const compiled = compileTariff(everything);
    const trip = { distanceMeters: 3200, pickup: INSIDE, dropoff: INSIDE, at: new Date('2026-12-25T22:30:00+09:00') };
    expect(compiled.price(trip)).toEqual(priceTrip(everything, trip));
    expect(compiled.price(trip)).toEqual(compiled.price(trip));
  });
});
