/** How the sender spaces the tries at one callback. */
export interface RetrySchedule {
  baseMs: number;
  capMs: number;
}

/**
 * The wait after the n-th failure in a row: `baseMs` doubled for each failure before it, at most `capMs`, then
 * shortened by up to a fifth at random, so callbacks that failed together (a restaurant's server was down) do not
 * all come back in step. Each wait is still longer than the one before until the cap.
 */
export function backoffMs(failures: number, schedule: RetrySchedule, random: () => number = Math.random): number {
  const ceiling = Math.min(schedule.capMs, schedule.baseMs * 2 ** Math.min(Math.max(failures, 1) - 1, 40));
  return Math.round(ceiling * (1 - 0.2 * random()));
}
