import { describe, expect, it } from '@jest/globals';
import { defaultTariff } from './default-tariff.js';
import { holidayTableWarning, LAST_HOLIDAY_YEAR, publicHolidayDates } from './korean-public-holidays.js';
import { validateTariff } from './tariff.validation.js';

const SQUARE = [
  { lng: 127.0, lat: 37.5 },
  { lng: 127.002, lat: 37.5 },
  { lng: 127.002, lat: 37.502 },
  { lng: 127.0, lat: 37.502 },
];
const BOW_TIE = [
  { lng: 127.0, lat: 37.5 },
  { lng: 127.002, lat: 37.502 },
  { lng: 127.002, lat: 37.5 },
  { lng: 127.0, lat: 37.502 },
];

/** The default tariff with `change` applied to a fresh copy. */
function tariffWith(change: (tariff: Record<string, any>) => void): Record<string, any> {
  const tariff: Record<string, any> = defaultTariff();
  change(tariff);
  return tariff;
}

function errorsOf(input: unknown) {
  const result = validateTariff(input);
  if (result.ok) throw new Error('expected the tariff to be rejected');
  return result.errors;
}

describe('validateTariff accepts', () => {
  it('the default tariff, unchanged', () => {
    expect(validateTariff(defaultTariff())).toEqual({ ok: true, value: defaultTariff() });
  });

  it('a minimal tariff, filling in the defaults', () => {
    const minimal = { baseFee: 3000, baseDistanceMeters: 1500, distance: { kind: 'steps', stepMeters: 500, stepFee: 500 } };
    expect(validateTariff(minimal)).toEqual({
      ok: true,
      value: {
        ...minimal,
        surcharges: {},
        rounding: { unit: 100, mode: 'up' },
        distanceBasis: 'route',
        commission: { kind: 'fixed', amount: 0 },
      },
    });
  });

  it('a tariff using every section', () => {
    const full = {
      baseFee: 3000,
      baseDistanceMeters: 1500,
      distance: { kind: 'bands', bands: [{ fromMeters: 1500, toMeters: 3000, amount: 1000 }, { fromMeters: 3000, amount: 2000 }] },
      minimumFee: 3000,
      maximumFee: 30_000,
      maximumDistanceMeters: 15_000,
      serviceArea: [{ name: '중구', polygon: [...SQUARE, SQUARE[0]] }],
      surcharges: {
        night: { from: '22:00', to: '06:00', amount: 1000 },
        weather: { mode: 'snow', amount: 1000, until: '2026-11-20T18:00:00+09:00' },
        holidays: { amount: 1000, dates: ['2026-12-25'] },
        peak: [{ from: '18:00', to: '24:00', label: '저녁', days: ['fri', 'sat'], amount: 500 }],
        zones: [{ name: '남산', polygon: SQUARE, amount: 500 }],
      },
      rounding: { unit: 500, mode: 'nearest' },
      distanceBasis: 'straight',
      commission: { kind: 'percent', percent: 3.3 },
    };
    expect(validateTariff(full)).toEqual({ ok: true, value: full });
  });

  it('weather switched off with null', () => {
    expect(validateTariff(tariffWith((t) => (t.surcharges.weather = null))).ok).toBe(true);
  });
});

describe('validateTariff rejects, naming field, value and reason', () => {
  it.each([
    ['a negative base fee', (t: any) => (t.baseFee = -100), 'baseFee', -100, 'must not be negative'],
    ['a fractional fee', (t: any) => (t.baseFee = 3000.5), 'baseFee', 3000.5, 'must be a whole number of KRW'],
    ['a fee as text', (t: any) => (t.baseFee = '3000'), 'baseFee', '3000', 'must be a whole number of KRW'],
    ['a missing base distance', (t: any) => delete t.baseDistanceMeters, 'baseDistanceMeters', undefined, 'is required'],
    ['a zero step', (t: any) => (t.distance.stepMeters = 0), 'distance.stepMeters', 0, 'must be more than 0'],
    ['an unknown distance kind', (t: any) => (t.distance = { kind: 'km' }), 'distance.kind', 'km', 'must be one of steps, bands'],
    ['a negative night amount', (t: any) => (t.surcharges.night = { from: '22:00', to: '06:00', amount: -1 }), 'surcharges.night.amount', -1, 'must not be negative'],
    ['an hour 25', (t: any) => (t.surcharges.night = { from: '25:00', to: '06:00', amount: 1000 }), 'surcharges.night.from', '25:00', 'must be a time of day as HH:MM, 00:00 to 23:59'],
    ['a time as 9pm', (t: any) => (t.surcharges.night = { from: '18:00', to: '9pm', amount: 1000 }), 'surcharges.night.to', '9pm', 'must be a time of day as HH:MM, 00:01 to 24:00'],
    ['24:00 as a start', (t: any) => (t.surcharges.night = { from: '24:00', to: '06:00', amount: 1000 }), 'surcharges.night.from', '24:00', 'must be a time of day as HH:MM, 00:00 to 23:59'],
    ['an empty window', (t: any) => (t.surcharges.night = { from: '22:00', to: '22:00', amount: 1000 }), 'surcharges.night.to', '22:00', 'must differ from from: an empty window never applies'],
    ['a bad weekday', (t: any) => (t.surcharges.peak = [{ from: '11:00', to: '13:00', days: ['mon', 'tue', 'friday'], amount: 500 }]), 'surcharges.peak[0].days[2]', 'friday', 'must be one of mon, tue, wed, thu, fri, sat, sun'],
    ['no weekdays', (t: any) => (t.surcharges.peak = [{ from: '11:00', to: '13:00', days: [], amount: 500 }]), 'surcharges.peak[0].days', [], 'must list at least one weekday (leave days out for every day)'],
    ['a weather mode other than rain or snow', (t: any) => (t.surcharges.weather = { mode: 'fog', amount: 500, until: '2026-11-20T18:00:00+09:00' }), 'surcharges.weather.mode', 'fog', 'must be one of rain, snow'],
    ['weather until tomorrow', (t: any) => (t.surcharges.weather = { mode: 'rain', amount: 500, until: 'tomorrow' }), 'surcharges.weather.until', 'tomorrow', 'must be an ISO 8601 instant with its offset, e.g. 2026-11-20T18:00:00+09:00'],
    ['weather until a time without offset', (t: any) => (t.surcharges.weather = { mode: 'rain', amount: 500, until: '2026-11-20T18:00:00' }), 'surcharges.weather.until', '2026-11-20T18:00:00', 'must be an ISO 8601 instant with its offset, e.g. 2026-11-20T18:00:00+09:00'],
    ['weather until 30 February', (t: any) => (t.surcharges.weather = { mode: 'rain', amount: 500, until: '2026-02-30T18:00:00Z' }), 'surcharges.weather.until', '2026-02-30T18:00:00Z', 'must be an ISO 8601 instant with its offset, e.g. 2026-11-20T18:00:00+09:00'],
    ['an impossible holiday', (t: any) => (t.surcharges.holidays.dates[3] = '2026-02-30'), 'surcharges.holidays.dates[3]', '2026-02-30', 'must be a real calendar date as YYYY-MM-DD'],
    ['a holiday in another format', (t: any) => (t.surcharges.holidays.dates[0] = '2026/12/25'), 'surcharges.holidays.dates[0]', '2026/12/25', 'must be a real calendar date as YYYY-MM-DD'],
    ['a bow-tie zone', (t: any) => (t.surcharges.zones = [{ name: '리본', polygon: BOW_TIE, amount: 500 }]), 'surcharges.zones[0].polygon', BOW_TIE, 'ring crosses itself near 127.0010, 37.5010'],
    ['a zone of two points', (t: any) => (t.surcharges.zones = [{ name: '선', polygon: SQUARE.slice(0, 2), amount: 500 }]), 'surcharges.zones[0].polygon', SQUARE.slice(0, 2), 'must have at least 3 distinct points'],
    ['a zone of three points, one repeated', (t: any) => (t.surcharges.zones = [{ name: '선', polygon: [SQUARE[0], SQUARE[1], SQUARE[0]], amount: 500 }]), 'surcharges.zones[0].polygon', [SQUARE[0], SQUARE[1], SQUARE[0]], 'must have at least 3 distinct points'],
    ['a zone on one line', (t: any) => (t.surcharges.zones = [{ name: '선', polygon: [{ lng: 127, lat: 37.5 }, { lng: 127.001, lat: 37.5 }, { lng: 127.002, lat: 37.5 }], amount: 500 }]), 'surcharges.zones[0].polygon', [{ lng: 127, lat: 37.5 }, { lng: 127.001, lat: 37.5 }, { lng: 127.002, lat: 37.5 }], 'encloses no area: its points lie on one line'],
    ['a latitude past the pole', (t: any) => (t.serviceArea = [{ name: '북', polygon: [SQUARE[0], SQUARE[1], { lng: 127, lat: 91 }] }]), 'serviceArea[0].polygon[2].lat', 91, 'must be a number from -90 to 90'],
    ['a zone without a name', (t: any) => (t.surcharges.zones = [{ name: '', polygon: SQUARE, amount: 500 }]), 'surcharges.zones[0].name', '', 'must be a non-empty text'],
    ['an empty service area', (t: any) => (t.serviceArea = []), 'serviceArea', [], 'must list at least one area (leave serviceArea out to serve everywhere)'],
    ['a minimum above the maximum', (t: any) => Object.assign(t, { minimumFee: 5000, maximumFee: 4000 }), 'minimumFee', 5000, 'must not be more than maximumFee (4000)'],
    ['a minimum off the rounding unit', (t: any) => (t.minimumFee = 3050), 'minimumFee', 3050, 'must be a multiple of the rounding unit (100 KRW), or a clamped total would leave it'],
    ['a maximum off the rounding unit', (t: any) => (t.maximumFee = 20_010), 'maximumFee', 20_010, 'must be a multiple of the rounding unit (100 KRW), or a clamped total would leave it'],
    ['a maximum distance within the base', (t: any) => (t.maximumDistanceMeters = 1500), 'maximumDistanceMeters', 1500, 'must be more than baseDistanceMeters (1500)'],
    ['a rounding unit of 30', (t: any) => (t.rounding.unit = 30), 'rounding.unit', 30, 'must be one of 1, 10, 50, 100, 500, 1000'],
    ['a rounding mode of ceil', (t: any) => (t.rounding.mode = 'ceil'), 'rounding.mode', 'ceil', 'must be one of up, down, nearest'],
    ['a distance basis of air', (t: any) => (t.distanceBasis = 'air'), 'distanceBasis', 'air', 'must be one of route, straight'],
    ['a negative fixed commission', (t: any) => (t.commission = { kind: 'fixed', amount: -500 }), 'commission.amount', -500, 'must not be negative'],
    ['a commission over 100 %', (t: any) => (t.commission = { kind: 'percent', percent: 120 }), 'commission.percent', 120, 'must be a number from 0 to 100'],
    ['a misspelt field', (t: any) => (t.baseFe = 3000), 'baseFe', 3000, 'unknown field (did you mean baseFee?)'],
    ['an unknown surcharge', (t: any) => (t.surcharges.rain = { amount: 500 }), 'surcharges.rain', { amount: 500 }, 'unknown field'],
    ['a misspelt surcharge field', (t: any) => (t.surcharges.night = { from: '22:00', to: '06:00', amout: 1000 }), 'surcharges.night.amout', 1000, 'unknown field (did you mean amount?)'],
  ])('%s', (_, change, field, value, reason) => {
    expect(errorsOf(tariffWith(change))).toContainEqual({ field, value, reason });
  });

  it('a body that is not an object', () => {
    expect(errorsOf([1, 2])).toEqual([{ field: '(body)', value: [1, 2], reason: 'must be a JSON object' }]);
  });
});

describe('validateTariff checks distance bands follow one another', () => {
  function bands(...list: object[]) {
    return tariffWith((t) => (t.distance = { kind: 'bands', bands: list }));
  }

  it.each([
    ['no bands', bands(), { field: 'distance.bands', value: [], reason: 'must list at least one band' }],
    [
      'a first band not at the base distance',
      bands({ fromMeters: 1000, amount: 500 }),
      { field: 'distance.bands[0].fromMeters', value: 1000, reason: 'must equal baseDistanceMeters (1500): the first band starts where the base fee ends' },
    ],
    [
      'overlapping bands',
      bands({ fromMeters: 1500, toMeters: 3000, amount: 500 }, { fromMeters: 2500, amount: 1000 }),
      { field: 'distance.bands[1].fromMeters', value: 2500, reason: 'overlaps band 0, which ends at 3000 m: must start at 3000' },
    ],
    [
      'a gap between bands',
      bands({ fromMeters: 1500, toMeters: 3000, amount: 500 }, { fromMeters: 3500, amount: 1000 }),
      { field: 'distance.bands[1].fromMeters', value: 3500, reason: 'leaves a gap after band 0, which ends at 3000 m: must start at 3000' },
    ],
    [
      'a band cheaper than the one before',
      bands({ fromMeters: 1500, toMeters: 3000, amount: 1000 }, { fromMeters: 3000, amount: 500 }),
      { field: 'distance.bands[1].amount', value: 500, reason: 'is less than band 0 (1000 KRW): a longer trip must not cost less' },
    ],
    [
      'a band ending where it starts',
      bands({ fromMeters: 1500, toMeters: 1500, amount: 1000 }),
      { field: 'distance.bands[0].toMeters', value: 1500, reason: 'must be more than fromMeters (1500)' },
    ],
    [
      'an open band before the last',
      bands({ fromMeters: 1500, amount: 500 }, { fromMeters: 3000, amount: 1000 }),
      { field: 'distance.bands[0]', value: { fromMeters: 1500, amount: 500 }, reason: 'only the last band may leave out toMeters' },
    ],
  ])('%s', (_, input, error) => {
    expect(errorsOf(input)).toContainEqual(error);
  });
});

describe('validateTariff lists every problem at once', () => {
  it('reports each of several problems in one answer', () => {
    const input = {
      baseFe: 3000,
      baseDistanceMeters: -1,
      distance: { kind: 'bands', bands: [{ fromMeters: -1, toMeters: 3000, amount: 1000 }, { fromMeters: 2500, amount: 500 }] },
      minimumFee: 5000,
      maximumFee: 4000,
      surcharges: {
        night: { from: '9pm', to: '06:00', amount: 1000 },
        holidays: { amount: 1000, dates: ['2026-12-25', '2026-02-30'] },
        zones: [{ name: '리본', polygon: BOW_TIE, amount: 500 }],
      },
      rounding: { unit: 30, mode: 'up' },
    };
    expect(errorsOf(input)).toEqual([
      { field: 'baseFe', value: 3000, reason: 'unknown field (did you mean baseFee?)' },
      { field: 'baseFee', value: undefined, reason: 'is required' },
      { field: 'baseDistanceMeters', value: -1, reason: 'must not be negative' },
      { field: 'distance.bands[0].fromMeters', value: -1, reason: 'must not be negative' },
      { field: 'distance.bands[1].fromMeters', value: 2500, reason: 'overlaps band 0, which ends at 3000 m: must start at 3000' },
      { field: 'distance.bands[1].amount', value: 500, reason: 'is less than band 0 (1000 KRW): a longer trip must not cost less' },
      { field: 'rounding.unit', value: 30, reason: 'must be one of 1, 10, 50, 100, 500, 1000' },
      { field: 'minimumFee', value: 5000, reason: 'must not be more than maximumFee (4000)' },
      { field: 'surcharges.night.from', value: '9pm', reason: 'must be a time of day as HH:MM, 00:00 to 23:59' },
      { field: 'surcharges.holidays.dates[1]', value: '2026-02-30', reason: 'must be a real calendar date as YYYY-MM-DD' },
      { field: 'surcharges.zones[0].polygon', value: BOW_TIE, reason: 'ring crosses itself near 127.0010, 37.5010' },
    ]);
  });
});

describe('the default tariff', () => {
  it('is 3,000 KRW to 1.5 km, 500 KRW per started 500 m, rounded up to 100, by route, with no commission, up to 20 km', () => {
    const { surcharges, ...terms } = defaultTariff();
    expect(terms).toEqual({ baseFee: 3000, baseDistanceMeters: 1500, distance: { kind: 'steps', stepMeters: 500, stepFee: 500 }, maximumDistanceMeters: 20_000, rounding: { unit: 100, mode: 'up' }, distanceBasis: 'route', commission: { kind: 'fixed', amount: 0 } });
    expect(surcharges).toEqual({ holidays: { amount: 0, dates: publicHolidayDates() } });
  });

  it('is a fresh copy each time, so editing one agency\'s never edits another\'s', () => {
    const first = defaultTariff();
    first.surcharges.holidays?.dates.push('2026-11-11');
    expect(defaultTariff().surcharges.holidays?.dates).not.toContain('2026-11-11');
  });

  it('lists each public holiday date once, in order, from 2025 to the last year the gazette table has', () => {
    const dates = publicHolidayDates();
    expect(dates).toEqual([...new Set(dates)].sort());
    expect(dates).toEqual(expect.arrayContaining(['2025-01-01', '2025-05-06', '2025-06-03', '2026-02-17', '2026-06-03', '2026-10-05', '2027-02-09', '2027-12-27']));
    // 노동절 (May 1) and 제헌절 (July 17) are public holidays again from 2026, with substitute days (2027-05-03, 2027-07-19).
    expect(dates).toEqual(expect.arrayContaining(['2026-05-01', '2026-07-17', '2027-05-03', '2027-07-19']));
    expect(dates).not.toContain('2025-07-17');
    expect(dates.filter((d) => d.startsWith('2026'))).toHaveLength(22);
    expect(dates[0]).toBe('2025-01-01');
    expect(LAST_HOLIDAY_YEAR).toBeGreaterThanOrEqual(2027);
    expect(dates.at(-1)!.startsWith(String(LAST_HOLIDAY_YEAR))).toBe(true);
  });

  it('warns from December of the table\'s last year on that the table needs its next year', () => {
    expect(holidayTableWarning(new Date(`${LAST_HOLIDAY_YEAR}-11-30T14:59:59Z`))).toBeNull();
    // 2027-12-01 00:00 in Seoul is still 30 November in UTC.
    expect(holidayTableWarning(new Date(`${LAST_HOLIDAY_YEAR}-11-30T15:00:00Z`))).toContain(`ends with ${LAST_HOLIDAY_YEAR}`);
    expect(holidayTableWarning(new Date(`${LAST_HOLIDAY_YEAR + 1}-06-01T00:00:00Z`))).toContain('npm update @hyunbinseo/holidays-kr');
  });
});
