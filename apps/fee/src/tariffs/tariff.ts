import type { FeeItem } from '#contracts';

/**
 * The most any amount in a tariff, and any fee it gives, may be: far above a delivery fee, and far below the
 * integer columns quotes are stored in. A trip a tariff would price above it is priced at it (최대 요금 상한).
 */
export const MAX_FEE_KRW = 1_000_000;

/**
 * An agency's price list, as an agency writes it in `PUT /v1/agencies/{agencyId}/tariff` and as it is stored,
 * one version per change. Money is integer KRW, distances integer metres, times of day `HH:MM` in Asia/Seoul.
 */
export interface Tariff {
  /** Charged for any trip up to `baseDistanceMeters` inclusive. */
  baseFee: number;
  baseDistanceMeters: number;
  /** What a trip beyond the base distance adds: so much per started step, or a fixed amount per band. */
  distance: DistanceSteps | DistanceBands;
  /** The total never falls below this, nor rises above `maximumFee`; both are multiples of the rounding unit. */
  minimumFee?: number;
  maximumFee?: number;
  /** Trips longer than this are not served: the quote says BEYOND_MAX_DISTANCE. */
  maximumDistanceMeters?: number;
  /** When set, pickup and drop-off must each lie in one of these areas, or the quote says OUTSIDE_SERVICE_AREA. */
  serviceArea?: NamedPolygon[];
  surcharges: Surcharges;
  rounding: Rounding;
  /** `route`: road distance from the map providers; `straight`: the straight line, no provider asked. */
  distanceBasis: 'route' | 'straight';
  /** What the agency keeps of each fee; the rider is paid the rest. */
  commission: Commission;
}

/** `stepFee` for each started `stepMeters` beyond the base distance: 1 m beyond already costs one step. */
export interface DistanceSteps {
  kind: 'steps';
  stepMeters: number;
  stepFee: number;
}

/**
 * Fixed amounts by distance band beyond the base distance. Bands are half-open `(fromMeters, toMeters]`, start at
 * the base distance, follow one another without gap or overlap, and never charge less than the band before; the
 * last may leave `toMeters` out to cover every longer trip.
 */
export interface DistanceBands {
  kind: 'bands';
  bands: DistanceBand[];
}

export interface DistanceBand {
  fromMeters: number;
  toMeters?: number;
  amount: number;
}

export interface Surcharges {
  /** e.g. `{ from: '22:00', to: '06:00', amount: 1000 }`: a window may cross midnight. */
  night?: TimeWindow & { amount: number };
  /** Switched on by the agency for rain or snow; it lapses by itself at `until`. */
  weather?: WeatherMode | null;
  /** Dates (`YYYY-MM-DD`, Seoul) that cost `amount` more; Korean public holidays are filled in for new agencies. */
  holidays?: { amount: number; dates: string[] };
  /** Busy hours, optionally on some weekdays only (`mon` … `sun`). */
  peak?: (TimeWindow & { label?: string; days?: Weekday[]; amount: number })[];
  /** Areas whose drop-offs cost more (hills, campuses, islands); each zone the drop-off lies in adds its amount. */
  zones?: (NamedPolygon & { amount: number })[];
}

/** Half-open `[from, to)` in Seoul local time; `to` before `from` means the window crosses midnight. */
export interface TimeWindow {
  from: string;
  to: string;
}

export interface WeatherMode {
  mode: 'rain' | 'snow';
  amount: number;
  /** ISO 8601 instant: quotes at or after it no longer carry the surcharge. */
  until: string;
}

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** A simple polygon ring as `{ lng, lat }` points; closing the ring (repeating the first point) is optional. */
export interface NamedPolygon {
  name: string;
  polygon: { lng: number; lat: number }[];
}

export interface Rounding {
  /** KRW: 10, 50, 100, 500 or 1000. */
  unit: number;
  mode: 'up' | 'down' | 'nearest';
}

export type Commission = { kind: 'fixed'; amount: number } | { kind: 'percent'; percent: number };

/** What a trip costs under a tariff, line by line; the items always add up to the total. */
export interface PricedTrip {
  total: number;
  items: FeeItem[];
  riderPay: { total: number; items: FeeItem[] };
}

/** Why a trip cannot be priced. */
export type UnpricedReason = 'NO_LOCATION' | 'NO_TARIFF' | 'OUTSIDE_SERVICE_AREA' | 'BEYOND_MAX_DISTANCE';
