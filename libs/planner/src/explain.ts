import type { CostTerms } from './planner.types.js';

/** Seconds as whole minutes, for people. */
export const minutes = (seconds: number) => `${Math.round(seconds / 60)} min`;

/** A moment relative to now, for people: "now", "in 4 min", "3 min ago". */
export function relative(at: number, now: number): string {
  const m = Math.round((at - now) / 60);
  return m === 0 ? 'now' : m > 0 ? `in ${m} min` : `${-m} min ago`;
}

/** Why a rider was chosen, in one line a dashboard can show. */
export function offerSummary(a: {
  riderId: string;
  terms: CostTerms;
  now: number;
  departAt: number;
  pickupAt: number;
  readyAt: number;
  runnerUp: { riderId: string; total: number } | null;
  bundled: string | null;
}): string {
  const { terms, now } = a;
  const delay = terms.delay <= 0 ? 'as early as it could arrive' : `${minutes(terms.delay)} later than the earliest it could arrive`;
  const promise = terms.pastPromise > 0 ? `, ${minutes(terms.pastPromise)} past its promise` : '';
  const next = a.runnerUp ? `; the next best, rider ${a.runnerUp.riderId}, would cost ${minutes(a.runnerUp.total - terms.total)} more` : '; no other rider could take it';
  return (
    `rider ${a.riderId} leaves ${relative(a.departAt, now)}, rides ${minutes(terms.emptyRide)} to the pickup and collects ${relative(a.pickupAt, now)} ` +
    `(food ready ${relative(a.readyAt, now)}); delivered ${delay}${promise}${a.bundled ? `; ${a.bundled}` : ''}${next}`
  );
}
