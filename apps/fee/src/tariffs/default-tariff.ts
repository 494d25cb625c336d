import { publicHolidayDates } from './korean-public-holidays.js';
import type { Tariff } from './tariff.js';

/** How far the default tariff delivers; an agency sets its own with `maximumDistanceMeters` in its tariff. */
export const DEFAULT_MAXIMUM_DISTANCE_METERS = 20_000;

/**
 * The tariff a newly registered agency starts with: 3,000 KRW up to 1.5 km, 500 KRW for each started 500 m
 * beyond, rounded up to 100 KRW, no commission, and no trip beyond 20 km (no agency delivers that far: such an
 * order is refused BEYOND_MAX_DISTANCE rather than priced at a fee nobody would ride for). Public holidays are listed but cost nothing until the agency sets
 * an amount. Every call builds new objects, so an agency editing its copy never edits another's.
 */
export function defaultTariff(): Tariff {
  return {
    baseFee: 3000,
    baseDistanceMeters: 1500,
    distance: { kind: 'steps', stepMeters: 500, stepFee: 500 },
    maximumDistanceMeters: DEFAULT_MAXIMUM_DISTANCE_METERS,
    surcharges: { holidays: { amount: 0, dates: publicHolidayDates() } },
    rounding: { unit: 100, mode: 'up' },
    distanceBasis: 'route',
    commission: { kind: 'fixed', amount: 0 },
  };
}
