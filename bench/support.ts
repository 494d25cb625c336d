import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import pg from 'pg';

/**
 * What the benchmarks share: seeded random numbers, percentiles, and the load driving of the HTTP benches
 * (bench:intake, bench:fees): concurrent loops in a worker thread for a level's duration after a warm-up, the
 * level's summary, and the main thread's peak RSS while it runs.
 */

/** Deterministic (mulberry32): the same seed gives the same numbers in [0, 1), so every run sees the same data. */
export function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The `p`th percentile of ascending `sorted` (nearest rank, rounded down); `empty` when there is no sample. */
export const percentile = (sorted: ArrayLike<number>, p: number, empty = NaN): number =>
  sorted.length === 0 ? empty : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** A figure with `digits` decimals, or `-` when it is not finite. */
export const fmt = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

// ---------------------------------------------------------------------------------------------------------
// Load levels, driven from a worker thread

/** How many loops a level runs at once and for how long it is measured. */
export interface Level {
  concurrency: number;
  seconds: number;
}

export interface LevelResult {
  completed: number;
  /** Completed over the whole run, warm-up included: what the run's CPU time was spent on. */
  completedAll?: number;
  failed: number;
  seconds: number;
  latenciesMs: number[];
  firstError?: string;
  /** CPU time of the thread that drove the load, over the whole run (see `threadCpuMs`). */
  loadCpuMs?: number;
}

/** Runs `concurrency` loops of `once` (told its loop's index) for the level's duration after a 1 s warm-up. */
export async function drive(level: Level, once: (loop: number) => Promise<void>): Promise<LevelResult> {
  const warmUntil = Date.now() + 1000;
  const until = warmUntil + level.seconds * 1000;
  const latenciesMs: number[] = [];
  const cpuAtStart = threadCpuMs();
  let completed = 0;
  let completedAll = 0;
  let failed = 0;
  let firstError: string | undefined;
  await Promise.all(
    Array.from({ length: level.concurrency }, async (_, loop) => {
      while (Date.now() < until) {
        const t0 = performance.now();
        try {
          await once(loop);
          completedAll++;
          const now = Date.now();
          if (now >= warmUntil && now < until) {
            completed++;
            latenciesMs.push(performance.now() - t0);
          }
        } catch (error) {
          failed++;
          firstError ??= (error as Error).message;
        }
      }
    }),
  );
  return { completed, completedAll, failed, seconds: level.seconds, latenciesMs, firstError, loadCpuMs: threadCpuMs() - cpuAtStart };
}

// ---------------------------------------------------------------------------------------------------------
// CPU time, which a busy machine inflates far less than wall time (Linux /proc; NaN elsewhere)

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime, stime, cutime, cstime (ms) and the parent pid from a /proc/…/stat line. */
function statTimes(path: string): { cpuMs: number; childrenMs: number; ppid: number } | undefined {
  try {
    const text = readFileSync(path, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpuMs: (Number(fields[11]) + Number(fields[12])) * TICK_MS, childrenMs: (Number(fields[13]) + Number(fields[14])) * TICK_MS };
  } catch {
    return undefined;
  }
}

/** CPU time (ms) a process (all its threads) has used so far. */
export function processCpuMs(pid: number): number {
  return statTimes(`/proc/${pid}/stat`)?.cpuMs ?? Number.NaN;
}

/** The machine's CPU time so far (ms, all cores): busy and in total. */
export function machineCpuMs(): { busy: number; total: number } {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
    const total = ticks.slice(0, 8).reduce((sum, t) => sum + t, 0);
    return { busy: (total - ticks[3]! - ticks[4]!) * TICK_MS, total: total * TICK_MS };
  } catch {
    return { busy: Number.NaN, total: Number.NaN };
  }
}

/** CPU time (ms) the calling thread (main or worker) has used so far. */
export function threadCpuMs(): number {
  return statTimes('/proc/thread-self/stat')?.cpuMs ?? Number.NaN;
}

/**
 * CPU time (ms) PostgreSQL has used so far, for the server whose data directory is `databaseDir`: the postmaster,
 * every process it started that is still running, and those that exited (counted in the postmaster's own).
 */
export function postgresCpuMs(databaseDir: string): number {
  let postmaster: number;
  try {
    postmaster = Number(readFileSync(path.join(databaseDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return Number.NaN;
  }
  const own = statTimes(`/proc/${postmaster}/stat`);
  if (!own) return Number.NaN;
  let total = own.cpuMs + own.childrenMs;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = statTimes(`/proc/${entry}/stat`);
    if (child?.ppid === postmaster) total += child.cpuMs;
  }
  return total;
}

/**
 * The write ceiling of a level: one connection per loop to `url`, each running BEGIN + `insert` (with the
 * parameters `params()` gives) + COMMIT in turn.
 */
export async function driveInserts(level: Level & { url: string }, insert: string, params: () => unknown[]): Promise<LevelResult> {
  const clients = await Promise.all(
    Array.from({ length: level.concurrency }, async () => {
      const client = new pg.Client({ connectionString: level.url });
      await client.connect();
      return client;
    }),
  );
  const result = await drive(level, async (loop) => {
    const client = clients[loop];
    await client.query('BEGIN');
    await client.query(insert, params());
    await client.query('COMMIT');
  });
  await Promise.all(clients.map((c) => c.end()));
  return result;
}

/** Runs `script` (its `import.meta.url`) in a worker thread with `job` as its workerData; resolves with its first message. */
export function inWorker<Job, Result = LevelResult>(script: string, job: Job): Promise<Result> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(fileURLToPath(script), { workerData: job });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

/** A level's throughput and latency (ms). */
export function summarise(result: LevelResult) {
  const sorted = Float64Array.from(result.latenciesMs).sort();
  return {
    perSecond: result.completed / result.seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    failed: result.failed,
    firstError: result.firstError,
  };
}

/** Runs a level in a worker while sampling this process's RSS; returns the peak. */
export async function withPeakRss<T>(run: () => Promise<T>): Promise<[T, number]> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
  try {
    const result = await run();
    return [result, Math.max(peak, process.memoryUsage().rss) / 2 ** 20];
  } finally {
    clearInterval(timer);
  }
}
