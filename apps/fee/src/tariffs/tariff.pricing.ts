import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import type { Polygon } from 'geojson';
import type { FeeItem } from '#contracts';
import { dayNumberOfDate, parseClock, seoulDayNumber, seoulMinuteOfDay, weekdayIndexOfDay, WEEKDAYS_FROM_SUNDAY } from './seoul-time.js';
import { MAX_FEE_KRW, type NamedPolygon, type PricedTrip, type Tariff, type TimeWindow, type UnpricedReason, type Weekday } from './tariff.js';
import { openRing } from './tariff.validation.js';

export interface LngLat {
  lng: number;
  lat: number;
}

export interface Trip {
  distanceMeters: number;
  pickup: LngLat;
  dropoff: LngLat;
  /** When the trip is priced for: decides night, peak, holiday and weather surcharges. */
  at: Date;
}

export type Unpriced = { ok: false; reason: UnpricedReason; message: string };
export type ServiceAreaCheck = { ok: true } | { ok: false; reason: 'OUTSIDE_SERVICE_AREA'; message: string };
export type TripPrice = ({ ok: true } & PricedTrip) | Unpriced;

/** A tariff parsed once for pricing many trips: windows as minutes, polygons as rings with bounding boxes. */
export interface CompiledTariff {
  checkServiceArea(pickup: LngLat, dropoff: LngLat): ServiceAreaCheck;
  price(trip: Trip): TripPrice;
}

interface Area {
  polygon: Polygon;
  minLng: number;
  maxLng: number;
  minLat: number;
  maxLat: number;
}

/** Minutes of the Seoul day; `to < from` when the window crosses midnight. */
interface Window {
  from: number;
  to: number;
}

interface Peak extends Window {
  label: string;
  /** Bit `1 << d` set for each weekday `d` (0 = Sunday) the window may start on. */
  dayMask: number;
  amount: number;
}

const ALL_DAYS = 0b111_1111;
const ROUNDING_LABELS = { up: '올림', down: '내림', nearest: '반올림' } as const;

/**
 * Prepares a valid tariff (as `validateTariff` returns it) for pricing: everything that does not depend on the
 * trip is parsed here, once, so that pricing a trip only compares numbers.
 */
export function compileTariff(tariff: Tariff): CompiledTariff {
  const { surcharges, rounding, commission } = tariff;
  const serviceArea = tariff.serviceArea?.map(compileArea);
  const zones = (surcharges.zones ?? []).map((zone) => ({ area: compileArea(zone), label: `지역 할증 (${zone.name})`, amount: zone.amount }));
  const night = surcharges.night && { ...compileWindow(surcharges.night), amount: surcharges.night.amount };
  const weather = surcharges.weather && {
    label: surcharges.weather.mode === 'snow' ? '강설 할증' : '우천 할증',
    untilMs: Date.parse(surcharges.weather.until),
    amount: surcharges.weather.amount,
  };
  const holidays = surcharges.holidays && { days: new Set(surcharges.holidays.dates.map(dayNumberOfDate)), amount: surcharges.holidays.amount };
  const peaks: Peak[] = (surcharges.peak ?? []).map((peak) => ({
    ...compileWindow(peak),
    label: peak.label ?? '피크 시간 할증',
    dayMask: peak.days ? dayMask(peak.days) : ALL_DAYS,
    amount: peak.amount,
  }));
  const distance = tariff.distance;
  const bands = distance.kind === 'bands' ? distance.bands.map((band) => ({ ...band, label: `거리 할증 (${bandText(band.fromMeters, band.toMeters)})` })) : [];
  // A band list that ends with a `toMeters` sets no price beyond it, which is as good as a maximum distance.
  const lastBandEnd = distance.kind === 'bands' ? (bands[bands.length - 1].toMeters ?? Infinity) : Infinity;
  const maximumDistance = Math.min(tariff.maximumDistanceMeters ?? Infinity, lastBandEnd);
  const baseLabel = `기본요금 (${kilometres(tariff.baseDistanceMeters)}까지)`;
  const roundingLabel = `${rounding.unit}원 단위 ${ROUNDING_LABELS[rounding.mode]}`;
  const minimumFee = tariff.minimumFee ?? 0;
  const maximumFee = tariff.maximumFee ?? MAX_FEE_KRW;
  // In hundredths of a basis point, so that 3.3 % of 10,000 is exactly 330 and not 329 after float error.
  const commissionPerMillion = commission.kind === 'percent' ? Math.round(commission.percent * 10_000) : 0;
  const commissionLabel = commission.kind === 'percent' ? `대행 수수료 (${commission.percent}%)` : '대행 수수료';

  function checkServiceArea(pickup: LngLat, dropoff: LngLat): ServiceAreaCheck {
    if (!serviceArea) return { ok: true };
    const pickupInside = inAny(serviceArea, pickup);
    const dropoffInside = inAny(serviceArea, dropoff);
    if (pickupInside && dropoffInside) return { ok: true };
    const outside = !pickupInside && !dropoffInside ? 'the pickup and the drop-off lie' : !pickupInside ? 'the pickup lies' : 'the drop-off lies';
    return { ok: false, reason: 'OUTSIDE_SERVICE_AREA', message: `${outside} outside the agency's service area` };
  }

  function distanceCharge(meters: number): { label: string; amount: number } | undefined {
    if (meters <= tariff.baseDistanceMeters) return undefined;
    if (distance.kind === 'steps') {
      const steps = Math.ceil((meters - tariff.baseDistanceMeters) / distance.stepMeters);
      return { label: `거리 할증 (${distance.stepMeters}m당 ${distance.stepFee}원 × ${steps})`, amount: steps * distance.stepFee };
    }
    return bands.find((band) => band.toMeters === undefined || meters <= band.toMeters);
  }

  function price(trip: Trip): TripPrice {
    const inArea = checkServiceArea(trip.pickup, trip.dropoff);
    if (!inArea.ok) return inArea;
    if (trip.distanceMeters > maximumDistance) {
      return { ok: false, reason: 'BEYOND_MAX_DISTANCE', message: `${trip.distanceMeters} m is beyond the agency's maximum of ${maximumDistance} m` };
    }
    const atMs = trip.at.getTime();
    const day = seoulDayNumber(atMs);
    const minute = seoulMinuteOfDay(atMs);
    const items: FeeItem[] = [];
    let subtotal = 0;
    const add = (code: string, label: string, amount: number) => {
      if (amount === 0) return;
      items.push({ code, label, amount });
      subtotal += amount;
    };

    add('BASE', baseLabel, tariff.baseFee);
    const distanceFee = distanceCharge(trip.distanceMeters);
    if (distanceFee) add('DISTANCE', distanceFee.label, distanceFee.amount);
    if (night && inWindow(night, minute)) add('NIGHT', '심야 할증', night.amount);
    if (weather && atMs < weather.untilMs) add('WEATHER', weather.label, weather.amount);
    if (holidays?.days.has(day)) add('HOLIDAY', '공휴일 할증', holidays.amount);
    if (peaks.length > 0) {
      const weekday = weekdayIndexOfDay(day);
      for (const peak of peaks) {
        // A window that crosses midnight belongs to the day it started on: Friday 22:00–02:00 covers Saturday 01:00.
        const startDay = peak.to < peak.from && minute < peak.to ? (weekday + 6) % 7 : weekday;
        if (inWindow(peak, minute) && (peak.dayMask & (1 << startDay)) !== 0) add('PEAK', peak.label, peak.amount);
      }
    }
    for (const zone of zones) {
      if (contains(zone.area, trip.dropoff)) add('ZONE', zone.label, zone.amount);
    }

    const rounded = roundToUnit(subtotal, rounding.unit, rounding.mode);
    add('ROUNDING', roundingLabel, rounded - subtotal);
    if (subtotal < minimumFee) add('MINIMUM', '최소 요금 보정', minimumFee - subtotal);
    else if (subtotal > maximumFee) add('MAXIMUM', '최대 요금 상한', maximumFee - subtotal);

    const total = subtotal;
    const owed = commission.kind === 'fixed' ? commission.amount : Math.floor((total * commissionPerMillion) / 1_000_000);
    // The agency never takes more than the fee: a rider is never paid a negative amount.
    const kept = Math.min(owed, total);
    const riderPay = {
      total: total - kept,
      items: [
        { code: 'FEE', label: '배달료', amount: total },
        // Not `-kept`, which is -0 for no commission: JSON hides it, but it compares unequal to 0.
        { code: 'COMMISSION', label: commissionLabel, amount: 0 - kept },
      ],
    };
    return { ok: true, total, items, riderPay };
  }

  return { checkServiceArea, price };
}

/** Prices one trip; to price many under one tariff, compile it once with `compileTariff`. */
export function priceTrip(tariff: Tariff, trip: Trip): TripPrice {
  return compileTariff(tariff).price(trip);
}

function roundToUnit(amount: number, unit: number, mode: Tariff['rounding']['mode']): number {
  if (mode === 'up') return Math.ceil(amount / unit) * unit;
  if (mode === 'down') return Math.floor(amount / unit) * unit;
  return Math.floor((amount + unit / 2) / unit) * unit;
}

function compileWindow(window: TimeWindow): Window {
  return { from: parseClock(window.from, 'start') as number, to: parseClock(window.to, 'end') as number };
}

function inWindow(window: Window, minute: number): boolean {
  return window.from < window.to ? minute >= window.from && minute < window.to : minute >= window.from || minute < window.to;
}

function dayMask(days: readonly Weekday[]): number {
  return days.reduce((mask, day) => mask | (1 << WEEKDAYS_FROM_SUNDAY.indexOf(day)), 0);
}

function compileArea(area: NamedPolygon): Area {
  const ring = openRing(area.polygon);
  const coordinates = ring.map((p) => [p.lng, p.lat]);
  coordinates.push([ring[0].lng, ring[0].lat]);
  const lngs = ring.map((p) => p.lng);
  const lats = ring.map((p) => p.lat);
  return {
    polygon: { type: 'Polygon', coordinates: [coordinates] },
    minLng: Math.min(...lngs),
    maxLng: Math.max(...lngs),
    minLat: Math.min(...lats),
    maxLat: Math.max(...lats),
  };
}

/** On the edge counts as inside: an agency drawing its boundary along a road means the road too. */
function contains(area: Area, point: LngLat): boolean {
  // The bounding box rules out most points without the full ring test.
  if (point.lng < area.minLng || point.lng > area.maxLng || point.lat < area.minLat || point.lat > area.maxLat) return false;
  return booleanPointInPolygon([point.lng, point.lat], area.polygon);
}

function inAny(areas: readonly Area[], point: LngLat): boolean {
  return areas.some((area) => contains(area, point));
}

function kilometres(meters: number): string {
  return `${meters / 1000}km`;
}

function bandText(fromMeters: number, toMeters: number | undefined): string {
  return toMeters === undefined ? `${kilometres(fromMeters)} 초과` : `${kilometres(fromMeters)} 초과 ${kilometres(toMeters)}까지`;
}
