import kinks from '@turf/kinks';
import type { FieldError } from '#contracts';
import { parseInstant } from './instant.js';
import { dayNumberOfDate, parseClock } from './seoul-time.js';
import {
  MAX_FEE_KRW,
  type Commission,
  type DistanceBand,
  type DistanceBands,
  type DistanceSteps,
  type NamedPolygon,
  type Rounding,
  type Surcharges,
  type Tariff,
  type TimeWindow,
  type WeatherMode,
  type Weekday,
} from './tariff.js';

export type TariffValidation = { ok: true; value: Tariff } | { ok: false; errors: FieldError[] };

export const ROUNDING_UNITS: readonly number[] = [1, 10, 50, 100, 500, 1000];
const ROUNDING_MODES: readonly Rounding['mode'][] = ['up', 'down', 'nearest'];
const DISTANCE_BASES: readonly Tariff['distanceBasis'][] = ['route', 'straight'];
const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

const TARIFF_FIELDS = [
  'baseFee',
  'baseDistanceMeters',
  'distance',
  'minimumFee',
  'maximumFee',
  'maximumDistanceMeters',
  'serviceArea',
  'surcharges',
  'rounding',
  'distanceBasis',
  'commission',
];
const SURCHARGE_FIELDS = ['night', 'weather', 'holidays', 'peak', 'zones'];

type Fields = Record<string, unknown>;
type Unit = 'KRW' | 'metres';

function child(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

/** Collects every problem of an input, so an agency fixes its price list in one round trip rather than ten. */
class Problems {
  readonly errors: FieldError[] = [];

  add(field: string, value: unknown, reason: string): undefined {
    this.errors.push({ field, value, reason });
    return undefined;
  }

  object(value: unknown, field: string): Fields | undefined {
    if (value === undefined) return this.add(field, value, 'is required');
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return this.add(field, value, 'must be an object');
    return value as Fields;
  }

  array(value: unknown, field: string, noun: string): unknown[] | undefined {
    if (value === undefined) return this.add(field, value, 'is required');
    if (!Array.isArray(value)) return this.add(field, value, `must be a list of ${noun}`);
    return value;
  }

  /** A misspelt optional field would otherwise be dropped and its surcharge silently never charged. */
  onlyKnown(fields: Fields, parent: string, known: readonly string[]): void {
    for (const key of Object.keys(fields)) {
      if (known.includes(key)) continue;
      const guess = known.find((candidate) => editDistance(candidate, key) <= 2);
      this.add(child(parent, key), fields[key], guess ? `unknown field (did you mean ${guess}?)` : 'unknown field');
    }
  }

  integer(fields: Fields, key: string, parent: string, unit: Unit, options: { required?: boolean; positive?: boolean } = {}): number | undefined {
    const field = child(parent, key);
    const value = fields[key];
    if (value === undefined) return options.required === false ? undefined : this.add(field, value, 'is required');
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) return this.add(field, value, `must be a whole number of ${unit}`);
    if (options.positive && value <= 0) return this.add(field, value, 'must be more than 0');
    if (value < 0) return this.add(field, value, 'must not be negative');
    if (unit === 'KRW' && value > MAX_FEE_KRW) return this.add(field, value, `must be at most ${MAX_FEE_KRW.toLocaleString('en')} KRW`);
    return value;
  }

  oneOf<T>(fields: Fields, key: string, parent: string, options: readonly T[]): T | undefined {
    const value = fields[key];
    if (value === undefined) return this.add(child(parent, key), value, 'is required');
    if (!options.includes(value as T)) return this.add(child(parent, key), value, `must be one of ${options.join(', ')}`);
    return value as T;
  }

  text(fields: Fields, key: string, parent: string, required = true): string | undefined {
    const value = fields[key];
    if (value === undefined) return required ? this.add(child(parent, key), value, 'is required') : undefined;
    if (typeof value !== 'string' || value.trim() === '') return this.add(child(parent, key), value, 'must be a non-empty text');
    return value;
  }
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * Checks a tariff as an agency sends it and lists every problem, each naming the field, its value and why; on
 * success returns it normalised, with the optional sections filled in (no surcharges, 100 KRW rounded up, route
 * distance, no commission). Unknown fields are problems, never dropped.
 */
export function validateTariff(input: unknown): TariffValidation {
  const problems = new Problems();
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, errors: [{ field: '(body)', value: input, reason: 'must be a JSON object' }] };
  }
  const body = input as Fields;
  problems.onlyKnown(body, '', TARIFF_FIELDS);

  const baseFee = problems.integer(body, 'baseFee', '', 'KRW');
  const baseDistanceMeters = problems.integer(body, 'baseDistanceMeters', '', 'metres');
  const distance = readDistance(problems, body.distance, baseDistanceMeters);
  const rounding = body.rounding === undefined ? { unit: 100, mode: 'up' as const } : readRounding(problems, body.rounding);
  const minimumFee = problems.integer(body, 'minimumFee', '', 'KRW', { required: false });
  const maximumFee = problems.integer(body, 'maximumFee', '', 'KRW', { required: false });
  const maximumDistanceMeters = problems.integer(body, 'maximumDistanceMeters', '', 'metres', { required: false });

  if (minimumFee !== undefined && maximumFee !== undefined && minimumFee > maximumFee) {
    problems.add('minimumFee', minimumFee, `must not be more than maximumFee (${maximumFee})`);
  }
  for (const [field, fee] of [['minimumFee', minimumFee], ['maximumFee', maximumFee]] as const) {
    if (fee !== undefined && rounding !== undefined && fee % rounding.unit !== 0) {
      problems.add(field, fee, `must be a multiple of the rounding unit (${rounding.unit} KRW), or a clamped total would leave it`);
    }
  }
  if (maximumDistanceMeters !== undefined && baseDistanceMeters !== undefined && maximumDistanceMeters <= baseDistanceMeters) {
    problems.add('maximumDistanceMeters', maximumDistanceMeters, `must be more than baseDistanceMeters (${baseDistanceMeters})`);
  }

  const serviceArea = body.serviceArea === undefined ? undefined : readServiceArea(problems, body.serviceArea);
  const surcharges = body.surcharges === undefined ? {} : readSurcharges(problems, body.surcharges);
  const distanceBasis = body.distanceBasis === undefined ? 'route' : problems.oneOf(body, 'distanceBasis', '', DISTANCE_BASES);
  const commission = body.commission === undefined ? { kind: 'fixed' as const, amount: 0 } : readCommission(problems, body.commission);

  if (problems.errors.length > 0) return { ok: false, errors: problems.errors };
  // Every field that is undefined here is optional: a missing required one was reported above.
  const tariff = {
    baseFee,
    baseDistanceMeters,
    distance,
    ...(minimumFee === undefined ? {} : { minimumFee }),
    ...(maximumFee === undefined ? {} : { maximumFee }),
    ...(maximumDistanceMeters === undefined ? {} : { maximumDistanceMeters }),
    ...(serviceArea === undefined ? {} : { serviceArea }),
    surcharges,
    rounding,
    distanceBasis,
    commission,
  } as Tariff;
  return { ok: true, value: tariff };
}

function readDistance(problems: Problems, value: unknown, baseDistanceMeters: number | undefined): DistanceSteps | DistanceBands | undefined {
  const distance = problems.object(value, 'distance');
  if (!distance) return undefined;
  const kind = problems.oneOf(distance, 'kind', 'distance', ['steps', 'bands'] as const);
  if (kind === 'steps') {
    problems.onlyKnown(distance, 'distance', ['kind', 'stepMeters', 'stepFee']);
    const stepMeters = problems.integer(distance, 'stepMeters', 'distance', 'metres', { positive: true });
    const stepFee = problems.integer(distance, 'stepFee', 'distance', 'KRW');
    return stepMeters === undefined || stepFee === undefined ? undefined : { kind, stepMeters, stepFee };
  }
  if (kind === 'bands') {
    problems.onlyKnown(distance, 'distance', ['kind', 'bands']);
    const bands = readBands(problems, distance.bands, baseDistanceMeters);
    return bands && { kind, bands };
  }
  return undefined;
}

/** Bands must tile the distances beyond the base without gap or overlap, and never get cheaper further out. */
function readBands(problems: Problems, value: unknown, baseDistanceMeters: number | undefined): DistanceBand[] | undefined {
  const list = problems.array(value, 'distance.bands', 'bands');
  if (!list) return undefined;
  if (list.length === 0) return problems.add('distance.bands', list, 'must list at least one band');
  const bands: DistanceBand[] = [];
  let previous: { toMeters?: number; amount?: number } | undefined;
  list.forEach((raw, i) => {
    const field = `distance.bands[${i}]`;
    const band = problems.object(raw, field);
    if (!band) {
      previous = undefined;
      return;
    }
    problems.onlyKnown(band, field, ['fromMeters', 'toMeters', 'amount']);
    const fromMeters = problems.integer(band, 'fromMeters', field, 'metres');
    const toMeters = problems.integer(band, 'toMeters', field, 'metres', { required: false });
    const amount = problems.integer(band, 'amount', field, 'KRW');
    if (band.toMeters === undefined && i < list.length - 1) {
      problems.add(field, raw, 'only the last band may leave out toMeters');
    }
    if (fromMeters !== undefined && toMeters !== undefined && toMeters <= fromMeters) {
      problems.add(`${field}.toMeters`, toMeters, `must be more than fromMeters (${fromMeters})`);
    }
    if (i === 0 && fromMeters !== undefined && baseDistanceMeters !== undefined && fromMeters !== baseDistanceMeters) {
      problems.add(`${field}.fromMeters`, fromMeters, `must equal baseDistanceMeters (${baseDistanceMeters}): the first band starts where the base fee ends`);
    }
    if (fromMeters !== undefined && previous?.toMeters !== undefined && fromMeters !== previous.toMeters) {
      const relation = fromMeters < previous.toMeters ? 'overlaps' : 'leaves a gap after';
      problems.add(`${field}.fromMeters`, fromMeters, `${relation} band ${i - 1}, which ends at ${previous.toMeters} m: must start at ${previous.toMeters}`);
    }
    if (amount !== undefined && previous?.amount !== undefined && amount < previous.amount) {
      problems.add(`${field}.amount`, amount, `is less than band ${i - 1} (${previous.amount} KRW): a longer trip must not cost less`);
    }
    previous = { toMeters, amount };
    if (fromMeters !== undefined && amount !== undefined) bands.push({ fromMeters, ...(toMeters === undefined ? {} : { toMeters }), amount });
  });
  return bands;
}

function readRounding(problems: Problems, value: unknown): Rounding | undefined {
  const rounding = problems.object(value, 'rounding');
  if (!rounding) return undefined;
  problems.onlyKnown(rounding, 'rounding', ['unit', 'mode']);
  const unit = problems.oneOf(rounding, 'unit', 'rounding', ROUNDING_UNITS);
  const mode = problems.oneOf(rounding, 'mode', 'rounding', ROUNDING_MODES);
  return unit === undefined || mode === undefined ? undefined : { unit, mode };
}

function readCommission(problems: Problems, value: unknown): Commission | undefined {
  const commission = problems.object(value, 'commission');
  if (!commission) return undefined;
  const kind = problems.oneOf(commission, 'kind', 'commission', ['fixed', 'percent'] as const);
  if (kind === 'fixed') {
    problems.onlyKnown(commission, 'commission', ['kind', 'amount']);
    const amount = problems.integer(commission, 'amount', 'commission', 'KRW');
    return amount === undefined ? undefined : { kind, amount };
  }
  if (kind === 'percent') {
    problems.onlyKnown(commission, 'commission', ['kind', 'percent']);
    const percent = commission.percent;
    if (typeof percent !== 'number' || !Number.isFinite(percent) || percent < 0 || percent > 100) {
      return problems.add('commission.percent', percent, 'must be a number from 0 to 100');
    }
    return { kind, percent };
  }
  return undefined;
}

function readSurcharges(problems: Problems, value: unknown): Surcharges | undefined {
  const surcharges = problems.object(value, 'surcharges');
  if (!surcharges) return undefined;
  problems.onlyKnown(surcharges, 'surcharges', SURCHARGE_FIELDS);
  const result: Surcharges = {};
  if (surcharges.night !== undefined) {
    const night = problems.object(surcharges.night, 'surcharges.night');
    if (night) {
      problems.onlyKnown(night, 'surcharges.night', ['from', 'to', 'amount']);
      const window = readWindow(problems, night, 'surcharges.night');
      const amount = problems.integer(night, 'amount', 'surcharges.night', 'KRW');
      if (window && amount !== undefined) result.night = { ...window, amount };
    }
  }
  if (surcharges.weather !== undefined) {
    result.weather = surcharges.weather === null ? null : readWeather(problems, surcharges.weather);
  }
  if (surcharges.holidays !== undefined) result.holidays = readHolidays(problems, surcharges.holidays);
  if (surcharges.peak !== undefined) {
    result.peak = readList(problems, surcharges.peak, 'surcharges.peak', 'peak windows', (field, peak) => readPeak(problems, field, peak));
  }
  if (surcharges.zones !== undefined) {
    result.zones = readList(problems, surcharges.zones, 'surcharges.zones', 'zones', (field, zone) => {
      problems.onlyKnown(zone, field, ['name', 'polygon', 'amount']);
      const area = readNamedPolygon(problems, zone, field);
      const amount = problems.integer(zone, 'amount', field, 'KRW');
      return area && amount !== undefined ? { ...area, amount } : undefined;
    });
  }
  return result;
}

/** Reads each object of a list with `read`; an element that is not an object is reported and left out. */
function readList<T>(problems: Problems, value: unknown, field: string, noun: string, read: (field: string, fields: Fields) => T | undefined): T[] | undefined {
  const list = problems.array(value, field, noun);
  if (!list) return undefined;
  const result: T[] = [];
  list.forEach((raw, i) => {
    const element = problems.object(raw, `${field}[${i}]`);
    const item = element && read(`${field}[${i}]`, element);
    if (item !== undefined) result.push(item);
  });
  return result;
}

function readWindow(problems: Problems, fields: Fields, parent: string): TimeWindow | undefined {
  const from = readClock(problems, fields, 'from', parent);
  const to = readClock(problems, fields, 'to', parent);
  if (from === undefined || to === undefined) return undefined;
  if (from.minute === to.minute) return problems.add(`${parent}.to`, to.text, 'must differ from from: an empty window never applies');
  return { from: from.text, to: to.text };
}

function readClock(problems: Problems, fields: Fields, key: 'from' | 'to', parent: string): { text: string; minute: number } | undefined {
  const text = fields[key];
  if (text === undefined) return problems.add(`${parent}.${key}`, text, 'is required');
  const minute = typeof text === 'string' ? parseClock(text, key === 'from' ? 'start' : 'end') : undefined;
  if (minute === undefined) {
    const allowed = key === 'from' ? '00:00 to 23:59' : '00:01 to 24:00';
    return problems.add(`${parent}.${key}`, text, `must be a time of day as HH:MM, ${allowed}`);
  }
  return { text: text as string, minute };
}

function readPeak(problems: Problems, parent: string, peak: Fields): NonNullable<Surcharges['peak']>[number] | undefined {
  problems.onlyKnown(peak, parent, ['from', 'to', 'label', 'days', 'amount']);
  const window = readWindow(problems, peak, parent);
  const label = problems.text(peak, 'label', parent, false);
  const amount = problems.integer(peak, 'amount', parent, 'KRW');
  let days: Weekday[] | undefined;
  if (peak.days !== undefined) {
    const list = problems.array(peak.days, `${parent}.days`, 'weekdays');
    if (list?.length === 0) problems.add(`${parent}.days`, list, 'must list at least one weekday (leave days out for every day)');
    days = list?.filter((day, i): day is Weekday => {
      if (WEEKDAYS.includes(day as Weekday)) return true;
      problems.add(`${parent}.days[${i}]`, day, `must be one of ${WEEKDAYS.join(', ')}`);
      return false;
    });
  }
  if (!window || amount === undefined) return undefined;
  return { ...window, ...(label === undefined ? {} : { label }), ...(days === undefined ? {} : { days }), amount };
}

function readWeather(problems: Problems, value: unknown): WeatherMode | undefined {
  const weather = problems.object(value, 'surcharges.weather');
  if (!weather) return undefined;
  problems.onlyKnown(weather, 'surcharges.weather', ['mode', 'amount', 'until']);
  const mode = problems.oneOf(weather, 'mode', 'surcharges.weather', ['rain', 'snow'] as const);
  const amount = problems.integer(weather, 'amount', 'surcharges.weather', 'KRW');
  const until = weather.until;
  if (parseInstant(until) === undefined) {
    const reason = until === undefined ? 'is required' : 'must be an ISO 8601 instant with its offset, e.g. 2026-11-20T18:00:00+09:00';
    return problems.add('surcharges.weather.until', until, reason);
  }
  // parseInstant reads only strings.
  return mode === undefined || amount === undefined ? undefined : { mode, amount, until: until as string };
}

function readHolidays(problems: Problems, value: unknown): Surcharges['holidays'] {
  const holidays = problems.object(value, 'surcharges.holidays');
  if (!holidays) return undefined;
  problems.onlyKnown(holidays, 'surcharges.holidays', ['amount', 'dates']);
  const amount = problems.integer(holidays, 'amount', 'surcharges.holidays', 'KRW');
  const dates = problems.array(holidays.dates, 'surcharges.holidays.dates', 'dates');
  dates?.forEach((date, i) => {
    if (typeof date !== 'string' || dayNumberOfDate(date) === undefined) {
      problems.add(`surcharges.holidays.dates[${i}]`, date, 'must be a real calendar date as YYYY-MM-DD');
    }
  });
  return amount === undefined || dates === undefined ? undefined : { amount, dates: dates as string[] };
}

function readServiceArea(problems: Problems, value: unknown): NamedPolygon[] | undefined {
  if (Array.isArray(value) && value.length === 0) {
    return problems.add('serviceArea', value, 'must list at least one area (leave serviceArea out to serve everywhere)');
  }
  return readList(problems, value, 'serviceArea', 'areas', (field, area) => {
    problems.onlyKnown(area, field, ['name', 'polygon']);
    return readNamedPolygon(problems, area, field);
  });
}

function readNamedPolygon(problems: Problems, fields: Fields, parent: string): NamedPolygon | undefined {
  const name = problems.text(fields, 'name', parent);
  const field = `${parent}.polygon`;
  const list = problems.array(fields.polygon, field, 'points');
  if (!list) return undefined;
  const points: { lng: number; lat: number }[] = [];
  list.forEach((raw, i) => {
    const point = problems.object(raw, `${field}[${i}]`);
    if (!point) return;
    problems.onlyKnown(point, `${field}[${i}]`, ['lng', 'lat']);
    const lng = readCoordinate(problems, point, 'lng', `${field}[${i}]`, 180);
    const lat = readCoordinate(problems, point, 'lat', `${field}[${i}]`, 90);
    if (lng !== undefined && lat !== undefined) points.push({ lng, lat });
  });
  if (points.length !== list.length) return undefined;
  const ring = openRing(points);
  if (new Set(ring.map((p) => `${p.lng},${p.lat}`)).size < 3) {
    return problems.add(field, list, 'must have at least 3 distinct points');
  }
  const crossing = selfIntersection(ring);
  if (crossing) return problems.add(field, list, `ring crosses itself near ${crossing[0].toFixed(4)}, ${crossing[1].toFixed(4)}`);
  if (ringArea(ring) === 0) return problems.add(field, list, 'encloses no area: its points lie on one line');
  return name === undefined ? undefined : { name, polygon: points };
}

function readCoordinate(problems: Problems, point: Fields, key: 'lng' | 'lat', parent: string, limit: number): number | undefined {
  const value = point[key];
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > limit) {
    return problems.add(`${parent}.${key}`, value, `must be a number from -${limit} to ${limit}`);
  }
  return value;
}

/** The ring without its optional closing point and without a point repeated right after itself. */
export function openRing(points: readonly { lng: number; lat: number }[]): { lng: number; lat: number }[] {
  const ring = points.filter((p, i) => i === 0 || p.lng !== points[i - 1].lng || p.lat !== points[i - 1].lat);
  const [first, last] = [ring[0], ring[ring.length - 1]];
  if (ring.length > 1 && first.lng === last.lng && first.lat === last.lat) ring.pop();
  return ring;
}

function selfIntersection(ring: readonly { lng: number; lat: number }[]): number[] | undefined {
  const coordinates = ring.map((p) => [p.lng, p.lat]);
  coordinates.push([ring[0].lng, ring[0].lat]);
  return kinks({ type: 'Polygon', coordinates: [coordinates] }).features[0]?.geometry.coordinates;
}

function ringArea(ring: readonly { lng: number; lat: number }[]): number {
  let twiceArea = 0;
  for (let i = 0; i < ring.length; i++) {
    const [a, b] = [ring[i], ring[(i + 1) % ring.length]];
    twiceArea += a.lng * b.lat - b.lng * a.lat;
  }
  return Math.abs(twiceArea) / 2;
}
