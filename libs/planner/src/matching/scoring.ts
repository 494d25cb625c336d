import type { LngLat } from '#contracts';
import { straightLineMeters } from '../geometry.js';

/** Road distance ÷ straight line and a rider's speed in town, for the stacking estimate only (no map provider). */
export const STACK_DETOUR_FACTOR = 1.3;
export const RIDER_SPEED_METERS_PER_SECOND = 20_000 / 3600;

/** How much each part weighs in a candidate's total; the parts are each from 0 (worst) to 1 (best). */
export const SCORE_WEIGHTS = { distance: 0.5, load: 0.2, stacking: 0.15, fairness: 0.15 } as const;
/** Idle this long or longer counts as fully rested: beyond it nobody is owed more. */
export const FAIRNESS_FULL_SECONDS = 1800;

export interface ScoringSettings {
  maxPickupMeters: number;
  stackPickupRadiusMeters: number;
  stackMaxDelaySeconds: number;
}

/** How far apart two positions are, in metres: great-circle for `{ lng, lat }`, the default everywhere. */
export type Measure<P> = (a: P, b: P) => number;

/** A job the rider carries now. */
export interface RiderJob<P = LngLat> {
  deliveryId: string;
  pickup: P;
  dropoff: P;
  pickedUp: boolean;
  assignedAt: Date;
}

export interface ScoringCandidate<P = LngLat> {
  riderId: string;
  position: P;
  capacity: number;
  /** Deliveries assigned or picked up, and offers the rider holds now. */
  jobs: RiderJob<P>[];
  offered: number;
  /** Since the rider's last assignment or delivery; null when it never had one (fully rested). */
  idleSeconds: number | null;
}

/** Why a candidate ranks where it does: the total, each weighted part, and what they were computed from. */
export interface ScoreBreakdown {
  total: number;
  distance: number;
  load: number;
  stacking: number;
  fairness: number;
  distanceMeters: number;
  active: number;
  capacity: number;
  idleSeconds: number | null;
  /** For a rider carrying jobs: how near the new pickup is to its route, and how much later its first drop-off. */
  stack?: { nearMeters: number; delaySeconds: number };
}

export type RefusalReason = 'BEYOND_MAX_PICKUP' | 'NO_ROOM' | 'STACK_OUT_OF_RADIUS' | 'STACK_DELAY';

export interface ScoringResult {
  /** Best first. */
  ranked: Array<{ riderId: string; score: ScoreBreakdown }>;
  refused: Array<{ riderId: string; reason: RefusalReason; detail: string }>;
}

const greatCircle = straightLineMeters as Measure<unknown>;

/** Seconds to ride from a to b, estimated from the straight line. */
export function travelSeconds<P = LngLat>(a: P, b: P, measure: Measure<P> = greatCircle): number {
  return (measure(a, b) * STACK_DETOUR_FACTOR) / RIDER_SPEED_METERS_PER_SECOND;
}

function pathSeconds<P>(points: P[], measure: Measure<P>): number {
  let total = 0;
  for (let i = 1; i < points.length; i++) total += travelSeconds(points[i - 1], points[i], measure);
  return total;
}

/**
 * How much later the rider's first delivery (its earliest-assigned job) is dropped off if it also collects
 * `pickup`. The rider's plan is taken as: collect every job it has not picked up yet, in the order they were
 * assigned, then drop off the first; the new pickup goes wherever in that round it costs least.
 */
export function stackDelaySeconds<P = LngLat>(position: P, jobs: readonly RiderJob<P>[], pickup: P, measure: Measure<P> = greatCircle): number {
  if (jobs.length === 0) return 0;
  const byAssignment = [...jobs].sort((a, b) => a.assignedAt.getTime() - b.assignedAt.getTime());
  const first = byAssignment[0];
  const toCollect = byAssignment.filter((job) => !job.pickedUp).map((job) => job.pickup);
  const base = pathSeconds([position, ...toCollect, first.dropoff], measure);
  let best = Infinity;
  for (let at = 0; at <= toCollect.length; at++) {
    const stops = [...toCollect.slice(0, at), pickup, ...toCollect.slice(at)];
    best = Math.min(best, pathSeconds([position, ...stops, first.dropoff], measure));
  }
  return Math.max(0, best - base);
}

/**
 * Ranks candidates for a delivery picked up at `pickup`. Pure: positions, loads and idle times come in, no map
 * provider is asked. A rider without jobs is always a candidate (within reach and with room); a rider carrying
 * jobs only when the new pickup lies within the stacking radius of one of its jobs' pickups (or of where it is
 * while still heading to a pickup) and collecting it delays its first drop-off by no more than the limit.
 * Positions are `{ lng, lat }` unless a `measure` of other positions is given (the simulator's plane in metres).
 */
export function scoreCandidates<P = LngLat>(
  pickup: P,
  candidates: readonly ScoringCandidate<P>[],
  settings: ScoringSettings,
  measure: Measure<P> = greatCircle,
): ScoringResult {
  const result: ScoringResult = { ranked: [], refused: [] };
  for (const candidate of candidates) {
    const distanceMeters = measure(candidate.position, pickup);
    const active = candidate.jobs.length;
    if (distanceMeters > settings.maxPickupMeters) {
      result.refused.push({ riderId: candidate.riderId, reason: 'BEYOND_MAX_PICKUP', detail: `${Math.round(distanceMeters)} m from the pickup` });
      continue;
    }
    if (active + candidate.offered >= candidate.capacity) {
      result.refused.push({
        riderId: candidate.riderId,
        reason: 'NO_ROOM',
        detail: `carries ${active} and holds ${candidate.offered} offers of ${candidate.capacity}`,
      });
      continue;
    }

    let stacking = 0;
    let stack: ScoreBreakdown['stack'];
    if (active > 0) {
      const anchors = candidate.jobs.map((job) => job.pickup);
      if (candidate.jobs.some((job) => !job.pickedUp)) anchors.push(candidate.position);
      const nearMeters = Math.min(...anchors.map((anchor) => measure(anchor, pickup)));
      if (nearMeters > settings.stackPickupRadiusMeters) {
        result.refused.push({ riderId: candidate.riderId, reason: 'STACK_OUT_OF_RADIUS', detail: `${Math.round(nearMeters)} m from its jobs` });
        continue;
      }
      const delaySeconds = stackDelaySeconds(candidate.position, candidate.jobs, pickup, measure);
      if (delaySeconds > settings.stackMaxDelaySeconds) {
        result.refused.push({ riderId: candidate.riderId, reason: 'STACK_DELAY', detail: `first drop-off ${Math.round(delaySeconds)} s later` });
        continue;
      }
      stack = { nearMeters: Math.round(nearMeters), delaySeconds: Math.round(delaySeconds) };
      stacking = settings.stackMaxDelaySeconds > 0 ? 1 - delaySeconds / settings.stackMaxDelaySeconds : 1;
    }

    const parts = {
      distance: settings.maxPickupMeters > 0 ? 1 - distanceMeters / settings.maxPickupMeters : 1,
      load: 1 - active / candidate.capacity,
      stacking,
      fairness: candidate.idleSeconds === null ? 1 : Math.min(Math.max(candidate.idleSeconds, 0), FAIRNESS_FULL_SECONDS) / FAIRNESS_FULL_SECONDS,
    };
    const total =
      SCORE_WEIGHTS.distance * parts.distance +
      SCORE_WEIGHTS.load * parts.load +
      SCORE_WEIGHTS.stacking * parts.stacking +
      SCORE_WEIGHTS.fairness * parts.fairness;
    result.ranked.push({
      riderId: candidate.riderId,
      score: {
        total: round(total),
        distance: round(parts.distance),
        load: round(parts.load),
        stacking: round(parts.stacking),
        fairness: round(parts.fairness),
        distanceMeters: Math.round(distanceMeters),
        active,
        capacity: candidate.capacity,
        idleSeconds: candidate.idleSeconds === null ? null : Math.round(candidate.idleSeconds),
        ...(stack ? { stack } : {}),
      },
    });
  }
  // Ties go to the nearer rider, then the smaller id, so the choice is repeatable.
  result.ranked.sort(
    (a, b) => b.score.total - a.score.total || a.score.distanceMeters - b.score.distanceMeters || (a.riderId < b.riderId ? -1 : a.riderId > b.riderId ? 1 : 0),
  );
  return result;
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
