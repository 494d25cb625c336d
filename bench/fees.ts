import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import inspector from 'node:inspector/promises';
import http from 'node:http';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Body, Controller, HttpCode, Post, type DynamicModule } from '@nestjs/common';
import { ClientProxyFactory } from '@nestjs/microservices';
import pg from 'pg';
import { lastValueFrom } from 'rxjs';
import { loadConfig } from '#config';
import { createMapChain } from '#maps';
import { PATTERNS, type AgencyRegisteredEvent, type FeeQuote } from '#contracts';
import { freePorts, startEmbeddedPostgres } from '#database';
import { clientOptions } from '#messaging';
import { hashSecret, newSecret, runMain, startService } from '#platform';
import { FeeModule } from '../apps/fee/src/fee.module.js';
import type { Tariff } from '../apps/fee/src/tariffs/tariff.js';
import { compileTariff, type CompiledTariff, type Trip } from '../apps/fee/src/tariffs/tariff.pricing.js';
import { drive, driveInserts, fmt, inWorker, percentile, postgresCpuMs, rng, summarise, withPeakRss, type LevelResult } from './support.js';

/**
 * `npm run bench:fees`: what pricing a delivery costs, in two parts.
 *
 * 1. Tariff evaluations in process, single thread: a realistic agency tariff (distance steps, a night window
 *    crossing midnight, weather on, 20 holiday dates, two peak windows on weekdays, three 20-point zones, a
 *    20-point service area, minimum and maximum fee, percent commission) over a deterministic mix of trips, with
 *    the tariff compiled once (as the fee service caches it per version); in the same run the same trips with
 *    the tariff compiled for every evaluation (what pricing would cost without that cache), and a steps-only
 *    tariff for contrast.
 * 2. Over HTTP against the fee service in this process, on an embedded PostgreSQL in a temporary directory with
 *    its real migrations and no map keys (route-basis quotes are the Turf estimate through the full map chain);
 *    agencies are registered by `agency.registered` over the fee's RPC port and their tariffs set with
 *    `PUT /v1/agencies/{id}/tariff`. Per level of concurrent clients, in the same run: the HTTP floor (the same
 *    request bodies POSTed to a route on the same Nest app that answers a fixed quote at once), single quotes
 *    (`POST /v1/quotes` with the agency key) for the realistic tariff on route basis and on straight-line basis,
 *    and the machine's write ceiling (one single-row INSERT + COMMIT per request into a copy of `fee.quotes`).
 *    Then batched quotes: `POST /v1/quotes/batch` of 100 at a time. It ends with the goals: single quotes at 32
 *    clients at least 0.8 × the floor with p99 under 50 ms, and batched quotes at least 20,000/s. Load comes from
 *    a worker thread, so the client does not share the service's event loop; the load average is printed with
 *    every level.
 *
 * BENCH_EVAL_SECONDS (default 2) per in-process variant, BENCH_SECONDS (default 10) per HTTP level after a 1 s
 * warm-up, BENCH_LEVELS (default 1,8,32,64) concurrent clients of single quotes, BENCH_BATCH_LEVELS (default
 * 1,4,8) concurrent clients of batches, BENCH_ROUNDS (default 3) runs of each variant of a level taken in turn
 * (floor, route, straight, ceiling, then again), BENCH_CEILING=off to leave out the write ceiling, BENCH_CPU_PROFILE=<dir>
 * for a CPU profile of the service per run. Every level also prints the CPU time per request (per quote for batches) of
 * the service, of PostgreSQL and of the load thread: a busy machine inflates wall times far more than those.
 */

// ---------------------------------------------------------------------------------------------------------
// Tariffs and trips

const METRES_PER_DEGREE_LAT = 111_000;
const METRES_PER_DEGREE_LNG = 88_000; // at Seoul's latitude

interface Point {
  lng: number;
  lat: number;
}

/** A simple ring of `points` points around a centre, its radius varying by up to ±`jitter` (never self-crossing). */
function ring(center: Point, radiusMetres: number, points: number, seed: number, jitter = 0.2): Point[] {
  const random = rng(seed);
  return Array.from({ length: points }, (_, i) => {
    const angle = (2 * Math.PI * i) / points;
    const r = radiusMetres * (1 - jitter + 2 * jitter * random());
    return {
      lng: Math.round((center.lng + (r / METRES_PER_DEGREE_LNG) * Math.cos(angle)) * 1e6) / 1e6,
      lat: Math.round((center.lat + (r / METRES_PER_DEGREE_LAT) * Math.sin(angle)) * 1e6) / 1e6,
    };
  });
}

const SEOUL = { lng: 126.985, lat: 37.56 };
const ZONE_CENTRES = [
  { name: '관악산 언덕', center: { lng: 126.951, lat: 37.478 } },
  { name: '남산 언덕', center: { lng: 126.99, lat: 37.551 } },
  { name: '성북 언덕', center: { lng: 127.005, lat: 37.598 } },
];

const MS_PER_DAY = 86_400_000;
const SEOUL_OFFSET_MS = 9 * 3_600_000;

/** Midnight (Seoul) of the first Monday at least two days after `now`: a week every quote of the run can ask for. */
function benchWeek(now: number): number {
  const seoulDay = Math.floor((now + SEOUL_OFFSET_MS) / MS_PER_DAY) + 2;
  const weekday = (((seoulDay + 4) % 7) + 7) % 7; // 0 = Sunday
  return (seoulDay + ((8 - weekday) % 7)) * MS_PER_DAY - SEOUL_OFFSET_MS;
}

const seoulDate = (ms: number) => new Date(ms + SEOUL_OFFSET_MS).toISOString().slice(0, 10);

/** 19 Korean public holidays of 2026–2027, and the bench week's Friday, so that some trips of the mix are holidays. */
const HOLIDAYS = [
  '2026-01-01', '2026-02-16', '2026-02-17', '2026-02-18', '2026-03-01', '2026-05-05', '2026-05-24', '2026-06-06',
  '2026-08-15', '2026-09-24', '2026-09-25', '2026-09-26', '2026-10-03', '2026-10-09', '2026-12-25', '2027-01-01',
  '2027-02-06', '2027-02-07', '2027-02-08',
];

/**
 * A busy Seoul agency's tariff: steps, night 22:00–06:00, rain mode on until the bench week's Thursday noon,
 * 20 holiday dates, lunch and dinner peaks on weekdays, three hill zones and a service area of 20 points each,
 * minimum and maximum fee, 3.3 % commission.
 */
function realisticTariff(weekStart: number, distanceBasis: Tariff['distanceBasis'] = 'route'): Tariff {
  const friday = seoulDate(weekStart + 4 * MS_PER_DAY);
  return {
    baseFee: 3500,
    baseDistanceMeters: 1500,
    distance: { kind: 'steps', stepMeters: 500, stepFee: 500 },
    minimumFee: 3500,
    maximumFee: 15000,
    maximumDistanceMeters: 15000,
    serviceArea: [{ name: '서울 전역', polygon: ring(SEOUL, 15000, 20, 7, 0.1) }],
    surcharges: {
      night: { from: '22:00', to: '06:00', amount: 1000 },
      weather: { mode: 'rain', amount: 1000, until: new Date(weekStart + 3 * MS_PER_DAY + 12 * 3_600_000).toISOString() },
      holidays: { amount: 1000, dates: [...new Set([...HOLIDAYS, friday])].slice(0, 20) },
      peak: [
        { label: '점심 피크', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '11:30', to: '13:30', amount: 500 },
        { label: '저녁 피크', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'], from: '17:30', to: '20:00', amount: 700 },
      ],
      zones: ZONE_CENTRES.map(({ name, center }, i) => ({ name, amount: 500, polygon: ring(center, 1500, 20, 100 + i) })),
    },
    rounding: { unit: 100, mode: 'up' },
    distanceBasis,
    commission: { kind: 'percent', percent: 3.3 },
  };
}

/** The contrast: what a new agency starts with, steps only. */
function stepsOnlyTariff(): Tariff {
  return {
    baseFee: 3000,
    baseDistanceMeters: 1500,
    distance: { kind: 'steps', stepMeters: 500, stepFee: 500 },
    surcharges: {},
    rounding: { unit: 100, mode: 'up' },
    distanceBasis: 'route',
    commission: { kind: 'fixed', amount: 0 },
  };
}

const offset = (from: Point, metres: number, angle: number): Point => ({
  lng: from.lng + (metres / METRES_PER_DEGREE_LNG) * Math.cos(angle),
  lat: from.lat + (metres / METRES_PER_DEGREE_LAT) * Math.sin(angle),
});

/**
 * Trips inside the service area, 300 m–8 km straight line apart, at minutes spread over the bench week; a quarter
 * end near one of the zones (most of those inside it), the rest anywhere.
 */
function makeTrips(count: number, seed: number, weekStart: number, area: CompiledTariff): Trip[] {
  const random = rng(seed);
  const trips: Trip[] = [];
  while (trips.length < count) {
    const metres = Math.round(300 + random() * 7700);
    const angle = random() * 2 * Math.PI;
    let pickup: Point;
    let dropoff: Point;
    if (random() < 0.25) {
      dropoff = offset(ZONE_CENTRES[Math.floor(random() * ZONE_CENTRES.length)].center, random() * 1800, random() * 2 * Math.PI);
      pickup = offset(dropoff, metres, angle);
    } else {
      pickup = offset(SEOUL, random() * 12000, random() * 2 * Math.PI);
      dropoff = offset(pickup, metres, angle);
    }
    if (!area.checkServiceArea(pickup, dropoff).ok) continue;
    const at = new Date(weekStart + Math.floor(random() * 7 * 24 * 60) * 60_000 + 17_000);
    trips.push({ distanceMeters: metres, pickup, dropoff, at });
  }
  return trips;
}

// ---------------------------------------------------------------------------------------------------------
// Part 1: tariff evaluations in process

interface EvalResult {
  name: string;
  perSecond: number;
  p50Ns: number;
  p99Ns: number;
  checksum: number;
  unpriced: number;
  peakRssMb: number;
}

/**
 * Prices the trips round and round for `seconds` untimed (throughput), then again timing each evaluation on its
 * own (latency, at most 200,000 samples or `seconds`), after a short warm-up. Every fee and rider pay is added
 * into a checksum, so the optimiser cannot drop the work. RSS is read between batches: a busy loop leaves no
 * room for a timer.
 */
function evaluate(name: string, trips: Trip[], seconds: number, price: (trip: Trip) => ReturnType<CompiledTariff['price']>): EvalResult {
  const mask = trips.length - 1;
  let checksum = 0;
  let unpriced = 0;
  let peakRss = process.memoryUsage.rss();
  const once = (i: number) => {
    const result = price(trips[i & mask]);
    if (result.ok) checksum = (checksum + result.total * 7 + result.riderPay.total + result.items.length) % 1_000_000_007;
    else unpriced++;
  };
  const run = (forMs: number) => {
    let i = 0;
    const started = performance.now();
    const until = started + forMs;
    while (true) {
      for (let k = 0; k < 256; k++) once(i++);
      if ((i & 4095) === 0) peakRss = Math.max(peakRss, process.memoryUsage.rss());
      const now = performance.now();
      if (now >= until) return { n: i, ms: now - started };
    }
  };
  run(300);
  checksum = 0;
  unpriced = 0;
  const throughput = run(seconds * 1000);
  const perSecond = throughput.n / (throughput.ms / 1000);
  const throughputChecksum = checksum;

  const samples = new Float64Array(200_000);
  let n = 0;
  const until = performance.now() + seconds * 1000;
  while (n < samples.length && (n & 1023 || performance.now() < until)) {
    const t0 = performance.now();
    once(n);
    samples[n] = performance.now() - t0;
    n++;
    if ((n & 4095) === 0) peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }
  const sorted = samples.subarray(0, n).sort();
  return {
    name,
    perSecond,
    p50Ns: percentile(sorted, 50) * 1e6,
    p99Ns: percentile(sorted, 99) * 1e6,
    checksum: throughputChecksum,
    unpriced,
    peakRssMb: peakRss / 2 ** 20,
  };
}

/** What reading the clock twice costs, which every latency sample above includes. */
function clockOverheadNs(): number {
  const samples = new Float64Array(100_000);
  for (let i = 0; i < samples.length; i++) {
    const t0 = performance.now();
    samples[i] = performance.now() - t0;
  }
  return percentile(samples.sort(), 50) * 1e6;
}

const duration = (ns: number) => (ns >= 10_000 ? `${(ns / 1000).toFixed(1)} µs` : ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(0)} ns`);

function partOne(seconds: number, weekStart: number): string[] {
  const realistic = realisticTariff(weekStart);
  const steps = stepsOnlyTariff();
  const compiledRealistic = compileTariff(realistic);
  const compiledSteps = compileTariff(steps);
  const trips = makeTrips(4096, 1, weekStart, compiledRealistic);

  // What the mix exercises, so the reader can judge it.
  const counts = new Map<string, number>();
  for (const trip of trips) {
    const result = compiledRealistic.price(trip);
    const codes = result.ok ? new Set(result.items.map((item) => item.code)) : new Set([result.reason]);
    for (const code of codes) counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  console.log(
    `trip mix (${trips.length} trips, week of ${seoulDate(weekStart)}): ` +
      [...counts].map(([code, n]) => `${code} ${((100 * n) / trips.length).toFixed(0)}%`).join(', '),
  );
  console.log(`realistic tariff: ${JSON.stringify(realistic).length} bytes of JSON`);

  const overhead = clockOverheadNs();
  const results = [
    evaluate('realistic, compiled once', trips, seconds, (trip) => compiledRealistic.price(trip)),
    evaluate('realistic, compiled per evaluation', trips, seconds, (trip) => compileTariff(realistic).price(trip)),
    evaluate('steps only, compiled once', trips, seconds, (trip) => compiledSteps.price(trip)),
    evaluate('steps only, compiled per evaluation', trips, seconds, (trip) => compileTariff(steps).price(trip)),
  ];
  const rows: string[] = [];
  for (const [i, r] of results.entries()) {
    console.log(
      `${r.name.padEnd(36)} ${Math.round(r.perSecond).toLocaleString('en-US').padStart(11)} evaluations/s, p50 ${duration(r.p50Ns)}, p99 ${duration(r.p99Ns)}, ` +
        `peak RSS ${r.peakRssMb.toFixed(0)} MB, checksum ${r.checksum}${r.unpriced ? `, ${r.unpriced} unpriced` : ''}`,
    );
    rows.push(
      `| ${r.name} | ${Math.round(r.perSecond).toLocaleString('en-US')} | ${duration(r.p50Ns)} | ${duration(r.p99Ns)} | ` +
        `${i % 2 === 1 ? `${(results[i - 1].perSecond / r.perSecond).toFixed(1)}×` : '1×'} | ${r.peakRssMb.toFixed(0)} |`,
    );
  }
  console.log(`(each latency sample includes reading the clock twice: ${overhead.toFixed(0)} ns)`);
  return rows;
}

// ---------------------------------------------------------------------------------------------------------
// Part 2: quotes over HTTP, in a worker thread

/** Quotes in one `POST /v1/quotes/batch` of the batched level. */
const BATCH_SIZE = 100;

interface Job {
  /** `floor`: the trivial route on the same server; `quotes`: single quotes; `batch`: BATCH_SIZE per request. */
  mode: 'quotes' | 'batch' | 'floor' | 'ceiling';
  concurrency: number;
  seconds: number;
  url: string;
  agencyId?: string;
  /** The agency's `Authorization` header. */
  authorization?: string;
  tariff?: Tariff;
  weekStart?: number;
  seed?: number;
  /** A representative row for the ceiling's insert. */
  row?: { items: string; riderPayItems: string };
}

/** Posts `bodies` round and round at the level's concurrency; `check` reads each 200 answer and throws if it is wrong. */
async function postLoop(job: Job, bodies: string[], check?: (body: string) => void): Promise<LevelResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency });
  const target = new URL(job.url);
  let next = 0;
  const post = (body: string) =>
    new Promise<void>((resolve, reject) => {
      const request = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(job.authorization ? { authorization: job.authorization } : {}) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          if (response.statusCode === 200 && !check) {
            response.resume();
            response.on('end', () => resolve());
            return;
          }
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            if (response.statusCode !== 200) return reject(new Error(`HTTP ${response.statusCode}: ${text.slice(0, 300)}`));
            try {
              check!(text);
              resolve();
            } catch (error) {
              reject(error as Error);
            }
          });
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  const result = await drive(job, () => post(bodies[next++ % bodies.length]));
  agent.destroy();
  return result;
}

function quoteBodies(job: Job, count: number): string[] {
  const trips = makeTrips(count, job.seed!, job.weekStart!, compileTariff(job.tariff!));
  return trips.map((trip) => JSON.stringify({ agencyId: job.agencyId, pickup: trip.pickup, dropoff: trip.dropoff, at: trip.at.toISOString() }));
}

function runQuotes(job: Job): Promise<LevelResult> {
  return postLoop(job, quoteBodies(job, 8192));
}

/** The trivial route gets the same bodies as single quotes, so parsing them is in the floor too. */
function runFloor(job: Job): Promise<LevelResult> {
  return postLoop(job, quoteBodies(job, 8192));
}

/** BATCH_SIZE quotes per request; a batch counts as done only when every one of its quotes was given. */
function runBatches(job: Job): Promise<LevelResult> {
  const singles = quoteBodies(job, 8192);
  const bodies = Array.from({ length: singles.length / BATCH_SIZE >> 0 }, (_, b) => `{"quotes":[${singles.slice(b * BATCH_SIZE, (b + 1) * BATCH_SIZE).join(',')}]}`);
  // Counted in the text rather than parsed: parsing 100 quotes would cost the client more than the service's share of the machine.
  return postLoop(job, bodies, (text) => {
    const quotes = text.split('{"quote":').length - 1;
    if (quotes !== BATCH_SIZE) throw new Error(`batch answered ${quotes} quotes of ${BATCH_SIZE}: ${text.slice(text.indexOf('"error"'), 300)}`);
  });
}

function runCeiling(job: Job): Promise<LevelResult> {
  const agencyId = randomUUID();
  return driveInserts(
    job,
    `INSERT INTO bench.ceiling_quotes (id, order_id, agency_id, pickup_lng, pickup_lat, dropoff_lng, dropoff_lat, distance_meters,
       duration_seconds, provider, estimated, detour_factor, factor_source, cached, attempts, tariff, tariff_version, priced_at,
       distance_basis, total, items, rider_pay, rider_pay_items)
     VALUES ($1, NULL, $2, 126.978, 37.5665, 127.0276, 37.4979, 4120, 741, 'turf', true, '1.30', 'default', false, $3, 'version 2', 2, now(),
       'route', 6100, $4, 5899, $5)`,
    () => [randomUUID(), agencyId, JSON.stringify([{ provider: 'kakao', outcome: 'no_credentials', ms: 0, skipped: true }]), job.row!.items, job.row!.riderPayItems],
  );
}

const RUNS: Record<Job['mode'], (job: Job) => Promise<LevelResult>> = { quotes: runQuotes, batch: runBatches, floor: runFloor, ceiling: runCeiling };

// ---------------------------------------------------------------------------------------------------------
// Main thread: database, service, agencies

/** What the floor route answers: a quote as the service gives it, so writing the answer costs the same. */
let floorAnswer: unknown = {};

/** The HTTP floor: a route that does nothing, on the fee service's own Nest app (same adapter, body parser, pipes, filters). */
@Controller('bench')
class FloorController {
  @Post('floor')
  @HttpCode(200)
  floor(@Body() _body: unknown): unknown {
    return floorAnswer;
  }
}

/**
 * BENCH_CPU_PROFILE=<dir>: a CPU profile of this thread (the fee service; the load runs in its own thread) for each
 * level, written as `<dir>/<level>-<clients>.cpuprofile` for Chrome's DevTools or any .cpuprofile reader.
 */
async function profiled<T>(name: string, run: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_CPU_PROFILE;
  if (!dir) return run();
  const session = new inspector.Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await run();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

const loadAverage = () => os.loadavg().map((load) => load.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const evalSeconds = Number(process.env.BENCH_EVAL_SECONDS ?? 2);
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const levels = (process.env.BENCH_LEVELS ?? '1,8,32,64').split(',').map(Number);
  const batchLevels = (process.env.BENCH_BATCH_LEVELS ?? '1,4,8').split(',').map(Number);
  const ceiling = process.env.BENCH_CEILING !== 'off';
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  console.log(`load average at start: ${loadAverage()} (1, 5, 15 min; ${os.cpus().length} cores)`);

  // Part 1 on a fixed week, so its trip mix is the same in every run; part 2 on a week to come, since a tariff
  // set now prices only moments from now on.
  console.log(`part 1: tariff evaluations in process, single thread, ${evalSeconds} s per variant (+ as long again timing each evaluation)`);
  const evalRows = partOne(evalSeconds, Date.parse('2026-12-21T00:00:00+09:00'));
  const partOneRssMb = process.memoryUsage().rss / 2 ** 20;

  const dataDir = await mkdtemp(path.join(tmpdir(), 'baecha-bench-'));
  console.log(`\npart 2: embedded PostgreSQL in ${dataDir}; ${seconds} s per level after a 1 s warm-up; levels ${levels.join(', ')}; batched levels ${batchLevels.join(', ')}`);
  const db = await startEmbeddedPostgres({ dataDir, database: 'bench' });
  const names = ['INTAKE_PORT', 'DISPATCH_PORT', 'FEE_PORT', 'INTAKE_RPC_PORT', 'DISPATCH_RPC_PORT', 'FEE_RPC_PORT'];
  const free = await freePorts(names.length);
  const ports = Object.fromEntries(names.map((name, i) => [name, String(free[i])]));
  // No map keys: route-basis quotes go through the whole chain and are answered by the Turf estimate.
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: undefined,
    KAKAO_REST_API_KEY: undefined,
    NAVER_MAPS_CLIENT_ID: undefined,
    NAVER_MAPS_CLIENT_SECRET: undefined,
    TRANSPORT: 'tcp',
    ...ports,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
  });
  // What the map chain itself costs a route-basis quote with no keys (skips Kakao and Naver, answers by Turf).
  {
    const chain = createMapChain(config.maps);
    const trips = makeTrips(8192, 7, Date.parse('2026-12-21T00:00:00+09:00'), compileTariff(realisticTariff(0)));
    const samples = new Float64Array(trips.length);
    for (const [i, trip] of trips.entries()) {
      const t0 = performance.now();
      await chain.route(trip.pickup, trip.dropoff);
      samples[i] = performance.now() - t0;
    }
    chain.close();
    samples.sort();
    console.log(`map chain alone, no keys, ${trips.length} new trips one at a time: p50 ${duration(percentile(samples, 50) * 1e6)}, p99 ${duration(percentile(samples, 99) * 1e6)} per route`);
  }
  const module: DynamicModule = { module: class BenchFeeModule {}, imports: [FeeModule.forRoot(config, db.url)], controllers: [FloorController] };
  const app = await startService({ service: 'fee', module, config });
  const base = `http://127.0.0.1:${config.httpPorts.fee}`;
  const startedRssMb = process.memoryUsage().rss / 2 ** 20;

  // Agencies as dispatch announces them, then their tariffs through the agency API.
  const client = ClientProxyFactory.create(clientOptions(config, 'fee'));
  const weekStart = benchWeek(Date.now());
  const agencies: Record<'route' | 'straight', string> = { route: '', straight: '' };
  const authorizations: Record<'route' | 'straight', string> = { route: '', straight: '' };
  for (const basis of ['route', 'straight'] as const) {
    const { secret } = newSecret('ak_');
    const event: AgencyRegisteredEvent = {
      eventId: randomUUID(),
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
      agencyId: randomUUID(),
      name: `벤치마크 대행 (${basis})`,
      apiKeyHash: hashSecret(secret),
    };
    await lastValueFrom(client.send(PATTERNS.AGENCY_REGISTERED, event));
    const response = await fetch(`${base}/v1/agencies/${event.agencyId}/tariff`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
      body: JSON.stringify({ tariff: realisticTariff(weekStart, basis) }),
    });
    if (response.status !== 200) throw new Error(`PUT tariff: HTTP ${response.status} ${await response.text()}`);
    agencies[basis] = event.agencyId;
    authorizations[basis] = `Bearer ${secret}`;
  }
  await client.close();

  // One quote each, to show what the load asks for and to take a representative row for the ceiling.
  const sample: Record<string, FeeQuote> = {};
  for (const basis of ['route', 'straight'] as const) {
    const [trip] = makeTrips(1, 99, weekStart, compileTariff(realisticTariff(weekStart)));
    const response = await fetch(`${base}/v1/quotes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: authorizations[basis] },
      body: JSON.stringify({ agencyId: agencies[basis], pickup: trip.pickup, dropoff: trip.dropoff, at: trip.at.toISOString() }),
    });
    if (response.status !== 200) throw new Error(`POST /v1/quotes: HTTP ${response.status} ${await response.text()}`);
    sample[basis] = (await response.json()) as FeeQuote;
    const q = sample[basis];
    console.log(
      `sample ${basis} quote: ${q.distanceMeters} m by ${q.provider}${q.estimated ? ' (estimated)' : ''}, tariff version ${q.tariffVersion}, ` +
        `${q.fee.total} KRW = ${q.fee.items.map((item) => `${item.code} ${item.amount}`).join(' + ')}; rider ${q.riderPay.total}`,
    );
  }
  floorAnswer = sample.route;

  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  await admin.query('CREATE SCHEMA IF NOT EXISTS bench');
  // The same columns, defaults, checks and indexes as the table every quote is written to.
  await admin.query('CREATE TABLE bench.ceiling_quotes (LIKE fee.quotes INCLUDING ALL)');
  const row = { items: JSON.stringify(sample.route.fee.items), riderPayItems: JSON.stringify(sample.route.riderPay.items) };

  const tariffs = { route: realisticTariff(weekStart, 'route'), straight: realisticTariff(weekStart, 'straight') };
  const job = (mode: Job['mode'], concurrency: number, basis: 'route' | 'straight' = 'route'): Job => ({
    mode,
    concurrency,
    seconds,
    url: `${base}${mode === 'floor' ? '/bench/floor' : mode === 'batch' ? '/v1/quotes/batch' : '/v1/quotes'}`,
    agencyId: agencies[basis],
    authorization: authorizations[basis],
    tariff: tariffs[basis],
    weekStart,
    seed: 1000 + concurrency,
  });
  const pgDir = path.join(dataDir, 'postgres');
  /** One run of a level: its result, with the CPU time the service (this process but the load's thread) and PostgreSQL spent. */
  const runOnce = async (name: string, level: Job): Promise<LevelResult & { serviceCpuMs: number; postgresCpuMs: number }> => {
    const processAtStart = process.cpuUsage();
    const postgresAtStart = postgresCpuMs(pgDir);
    const run = await profiled(`${name.replace(/\W+/g, '-')}-${level.concurrency}`, () => inWorker<Job>(import.meta.url, level));
    const processMs = (({ user, system }) => (user + system) / 1000)(process.cpuUsage(processAtStart));
    return { ...run, serviceCpuMs: processMs - (run.loadCpuMs ?? 0), postgresCpuMs: postgresCpuMs(pgDir) - postgresAtStart };
  };
  type Measured = ReturnType<typeof summarise> & { rssMb: number; load: string; serviceUs: number; postgresUs: number; loadUs: number };
  /**
   * Each of `variants` run `rounds` times in turn, seconds/rounds each, and their rounds added up: on a machine whose
   * load drifts, every variant sees the same drift, so their ratios hold better than for runs one after another.
   * CPU is per operation (a request, or a quote of a batch), over every run's operations, warm-up included.
   */
  const measureTogether = async (variants: Array<{ name: string; job: Job; perOp?: number }>): Promise<Measured[]> => {
    const runs = variants.map(() => [] as Array<Awaited<ReturnType<typeof runOnce>>>);
    const peaks = variants.map(() => 0);
    for (let round = 0; round < rounds; round++) {
      for (const [i, variant] of variants.entries()) {
        const [run, rssMb] = await withPeakRss(() => runOnce(variant.name, { ...variant.job, seconds: variant.job.seconds / rounds }));
        runs[i].push(run);
        peaks[i] = Math.max(peaks[i], rssMb);
      }
    }
    const load = loadAverage();
    return variants.map((variant, i) => {
      const all = runs[i];
      const sum = (pick: (r: (typeof all)[number]) => number) => all.reduce((total, r) => total + pick(r), 0);
      const merged: LevelResult = {
        completed: sum((r) => r.completed),
        failed: sum((r) => r.failed),
        seconds: sum((r) => r.seconds),
        latenciesMs: all.flatMap((r) => r.latenciesMs),
        firstError: all.find((r) => r.firstError)?.firstError,
      };
      const ops = sum((r) => r.completedAll ?? r.completed) * (variant.perOp ?? 1);
      const m: Measured = {
        ...summarise(merged),
        rssMb: peaks[i],
        load,
        serviceUs: (sum((r) => r.serviceCpuMs) * 1000) / ops,
        postgresUs: (sum((r) => r.postgresCpuMs) * 1000) / ops,
        loadUs: (sum((r) => r.loadCpuMs ?? Number.NaN) * 1000) / ops,
      };
      console.log(
        `${variant.name.padEnd(16)} c=${variant.job.concurrency}: ${fmt(m.perSecond)}/s, p50 ${fmt(m.p50, 1)} ms, p99 ${fmt(m.p99, 1)} ms; ` +
          `CPU per ${variant.perOp ? 'quote' : 'request'}: service ${fmt(m.serviceUs)} µs, PostgreSQL ${fmt(m.postgresUs)} µs, load thread ${fmt(m.loadUs)} µs; ` +
          `peak RSS ${fmt(m.rssMb)} MB, load ${load}${m.failed ? `, ${m.failed} failed (${m.firstError})` : ''}`,
      );
      return m;
    });
  };
  const cpu = (m: Measured) => `${fmt(m.serviceUs)} / ${fmt(m.postgresUs)}`;

  const rows: string[] = [];
  const rssRows: string[] = [];
  const singles = new Map<number, { floor: Measured; route: Measured }>();
  for (const concurrency of levels) {
    const [floor, route, straight, inserts] = await measureTogether([
      { name: 'HTTP floor', job: job('floor', concurrency) },
      { name: 'quotes route', job: job('quotes', concurrency, 'route') },
      { name: 'quotes straight', job: job('quotes', concurrency, 'straight') },
      ...(ceiling ? [{ name: 'ceiling inserts', job: { ...job('ceiling', concurrency), url: db.url, row } }] : []),
    ]);
    singles.set(concurrency, { floor, route });
    rows.push(
      `| ${concurrency} | ${fmt(floor.perSecond)} | ${fmt(floor.p50, 1)} / ${fmt(floor.p99, 1)} | ${cpu(floor)} | ${fmt(route.perSecond)} | ${fmt(route.p50, 1)} / ${fmt(route.p99, 1)} | ${cpu(route)} | ` +
        `${fmt(straight.perSecond)} | ${fmt(straight.p50, 1)} / ${fmt(straight.p99, 1)} | ${cpu(straight)} | ${route.failed + straight.failed} | ` +
        `${fmt(route.perSecond / floor.perSecond, 2)} | ${inserts ? `${fmt(inserts.perSecond)} | ${fmt(inserts.p50, 1)} / ${fmt(inserts.p99, 1)}` : '- | -'} | ${route.load} |`,
    );
    rssRows.push(`| ${concurrency} clients | ${fmt(floor.rssMb)} | ${fmt(route.rssMb)} | ${fmt(straight.rssMb)} |`);
  }
  const batchRows: string[] = [];
  let bestBatched = 0;
  for (const concurrency of batchLevels) {
    const [batched] = await measureTogether([{ name: `batches of ${BATCH_SIZE}`, job: job('batch', concurrency), perOp: BATCH_SIZE }]);
    const quotesPerSecond = batched.perSecond * BATCH_SIZE;
    bestBatched = Math.max(bestBatched, batched.failed ? 0 : quotesPerSecond);
    batchRows.push(
      `| ${concurrency} | ${fmt(quotesPerSecond)} | ${fmt(batched.perSecond, 1)} | ${fmt(batched.p50, 1)} / ${fmt(batched.p99, 1)} | ${cpu(batched)} | ${batched.failed} | ${fmt(batched.rssMb)} | ${batched.load} |`,
    );
  }

  const [{ quotes }] = (await admin.query('SELECT count(*)::int AS quotes FROM fee.quotes')).rows;
  await admin.end();
  await app.close();
  await db.stop();
  await rm(dataDir, { recursive: true, force: true });

  console.log('\n| tariff evaluation | evaluations/s | p50 | p99 | cost vs. compiled once | peak RSS MB |');
  console.log('|---|--:|--:|--:|--:|--:|');
  for (const line of evalRows) console.log(line);

  console.log(
    `\n${quotes} quotes written to fee.quotes. HTTP floor: POST of the same bodies to a route that answers a fixed quote, on the same Nest app. ` +
      `Ceiling: BEGIN + one single-row INSERT into a copy of fee.quotes (LIKE … INCLUDING ALL) + COMMIT, one connection per client.\n`,
  );
  console.log('CPU µs: per request (batches: per quote), the fee service\'s process but the load thread / PostgreSQL.\n');
  console.log(
    '| clients | floor req/s | p50 / p99 ms | CPU µs | route quotes/s | p50 / p99 ms | CPU µs | straight quotes/s | p50 / p99 ms | CPU µs | errors | route / floor | ceiling inserts/s | p50 / p99 ms | load average |',
  );
  console.log('|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|');
  for (const line of rows) console.log(line);

  console.log(`\n| clients | batched quotes/s | batches/s | p50 / p99 ms per batch of ${BATCH_SIZE} | CPU µs per quote | errors | peak RSS MB | load average |`);
  console.log('|--:|--:|--:|--:|--:|--:|--:|---|');
  for (const line of batchRows) console.log(line);

  console.log('\n| phase | peak RSS MB (floor) | (route) | (straight) |');
  console.log('|---|--:|--:|--:|');
  console.log(`| part 1, in process (end) | ${fmt(partOneRssMb)} | | |`);
  console.log(`| fee service started | ${fmt(startedRssMb)} | | |`);
  for (const line of rssRows) console.log(line);

  // The goals: single quotes at 32 clients at least 0.8 of the same-run HTTP floor with p99 under 50 ms; batched at least 20,000/s.
  console.log('');
  const at32 = singles.get(32);
  if (at32) {
    const ratio = at32.route.perSecond / at32.floor.perSecond;
    const met = ratio >= 0.8 && at32.route.p99 < 50 && at32.route.failed === 0;
    console.log(
      `${met ? 'PASS' : 'FAIL'}: single quotes at 32 clients ${fmt(at32.route.perSecond)}/s = ${fmt(ratio, 2)} × the HTTP floor ` +
        `(${fmt(at32.floor.perSecond)}/s; goal ≥ 0.8), p99 ${fmt(at32.route.p99, 1)} ms (goal < 50)`,
    );
  } else console.log('single-quote goal not checked: BENCH_LEVELS has no 32');
  console.log(`${bestBatched >= 20_000 ? 'PASS' : 'FAIL'}: batched quotes ${fmt(bestBatched)}/s at best (goal ≥ 20,000)`);
  console.log(`load average at end: ${loadAverage()}`);
}

if (isMainThread) {
  runMain(main);
} else {
  const job = workerData as Job;
  void RUNS[job.mode](job).then((result) => parentPort!.postMessage(result));
}
