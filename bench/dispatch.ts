import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { ClientProxyFactory } from '@nestjs/microservices';
import pg from 'pg';
import { lastValueFrom } from 'rxjs';
import { io, type Socket } from 'socket.io-client';
import { loadConfig, type AppConfig } from '#config';
import { PATTERNS, type LngLat, type OrderCreatedEvent } from '#contracts';
import { freePorts, startEmbeddedPostgres } from '#database';
import { clientOptions } from '#messaging';
import { newSecret, runMain } from '#platform';
import { GridRiderIndex, LinearRiderIndex, type RiderIndex } from '#planner';
import { provisionAgency } from '../apps/dispatch/src/agencies/agencies.provisioning.js';
import { envFor } from '../test/support/config.js';
import { openServiceDatabases } from '../tools/service-databases.js';
import { DeadConnections, seenFigures, type LinkFigures } from './rider-links.js';
import { machineCpuMs, percentile, postgresCpuMs, processCpuMs, rng } from './support.js';

/**
 * `npm run bench:dispatch`: how fast dispatch turns an order into an offer on a rider's phone, with thousands of
 * riders streaming their positions. Two parts.
 *
 * 1. The rider index in process, single thread (BENCH_MODE=index runs only this): for 1,000, 10,000 and 100,000
 *    riders of one agency spread over 30 × 30 km of Seoul, position updates per second (moves of up to ~40 m, as
 *    a rider reporting every 5 s makes) and nearest(limit 30) latency from random points, for the linear scan
 *    and the uniform grid at three cell sizes: the figures the index was chosen by.
 * 2. The service (BENCH_MODE=service runs only this): an embedded PostgreSQL in a temporary directory with the
 *    real migrations; fee and dispatch each started as their own process from `dist` (no map keys: fees are the
 *    Turf estimate), so dispatch's RSS is its own. Per level, an agency with N riders (one INSERT of them all,
 *    tokens hashed as `provisionRider` does); the riders are real socket.io clients in 2–4 worker threads of
 *    this process, connected to `/riders` with their tokens, each reporting a `location` every 5 s as the app does
 *    (one in 30 s asking for an answer, the rest without; the positions absorbed are dispatch's count) (first one
 *    staggered over 5 s), accepting every `offer`, then reporting `delivery:pickedUp` and `delivery:delivered`
 *    so its capacity frees. Orders arrive at a steady rate as `order.created` over dispatch's TCP RPC port, as
 *    order-intake's relay sends them (order-intake itself is a stub on its RPC port that acknowledges what
 *    dispatch publishes), each picked up near the riders and carrying its send time in the
 *    restaurant's name, which the offer repeats: the rider's thread measures order → offer from it. Each level
 *    runs with DISPATCH_RIDER_INDEX=grid and again with =linear, the same-run baseline. Every order carries
 *    `readyAt` in its order.created: BENCH_READY_LATER_SHARE (default 0.3) of them are ready BENCH_READY_LATER_SECONDS
 *    (default 60-120, uniformly) after they are sent, and the planner holds them for their food; the rest are ready
 *    at once. The two are reported apart: order → offer of those ready at once (the goal), and of the held ones
 *    with how long before the food was ready their offer arrived; after the window the bench waits for the held
 *    ones' offers. The planning rounds in the window (count, p50/p99) come from dispatch's /metrics histogram.
 *
 * 3. Connections only (BENCH_MODE=sockets, not part of `all`): the service's levels with no orders (BENCH_INDEXES
 *    default grid, BENCH_SECONDS 1, BENCH_WARMUP_SECONDS 0): dispatch's RSS before and after N riders connect, and
 *    so its memory per rider connection.
 *
 * Riders' links, at each level: the share of the window's offers the riders' apps acknowledged (`offer:seen`)
 * within 1 s, and seen p50/p99; BENCH_DEAD_SOCKETS (default 100) extra devices of the level's riders connect
 * through a proxy that goes silent a quarter into the window, as a phone's network does in a tunnel: how long
 * dispatch took to notice each (p50/p99/max s, by its pings), and, when they come back with the last event they
 * saw, how many events each was replayed (p50/p99/max) or how many were told to rebuild.
 *
 * Besides order → offer itself, each level reports where an order's time went, p50/p99 per stage: sent → its
 * delivery row, → its quote stored (split in three: → fee began pricing it, by the quote's `pricedAt`; → fee's
 * insert of it began; → dispatch's transaction storing the price began), → its first offer written (from the
 * database's own timestamps), and → the rider's thread holding the offer (from the offer's expiry less the offer
 * timeout); the events still waiting in dispatch's outbox as the window ended; dispatch's RSS; and where the
 * machine's cores went in the window (CPU of dispatch, fee, PostgreSQL and this bench's own threads, from /proc)
 * with the load average, so a figure taken on a busy machine says so.
 *
 * BENCH_MODE (index|service|sockets|all, default all), BENCH_INDEX_SIZES (default 1000,10000,100000),
 * BENCH_RIDERS (default 1000,10000), BENCH_ORDERS_PER_SECOND (default 100), BENCH_SECONDS (default 20) measured
 * per level after BENCH_WARMUP_SECONDS (default 10), BENCH_INDEXES (default grid,linear), BENCH_WORKERS
 * (default 2 up to 2,500 riders, then one more per 2,500 up to 4), BENCH_INTAKE=down (no order-intake stub: its
 * RPC port stays closed), BENCH_DISPATCH_NODE_ARGS (more node flags for
 * dispatch, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`), BENCH_PG_STATEMENTS=N (load pg_stat_statements into the
 * bench's PostgreSQL and print, per level, the transactions and statements per second in the window and the N
 * statements that took the database's time).
 */

const SEOUL = { lng: 126.985, lat: 37.56 };
/** Half the side of the square riders and pickups are spread over: about 15 km each way. */
const HALF_LNG = 0.17;
const HALF_LAT = 0.135;
const AGENCY = 'bench-agency';
/** As the rider app: a position asks for an answer once in this long (and first on a connection); the rest go without. */
const LOCATION_CONFIRM_MS = 30_000;

const inSeoul = (random: () => number): LngLat => ({
  lng: SEOUL.lng + (random() * 2 - 1) * HALF_LNG,
  lat: SEOUL.lat + (random() * 2 - 1) * HALF_LAT,
});

/** A step of up to ~40 m each way: a rider at ~30 km/h between two reports 5 s apart. */
const step = (point: LngLat, random: () => number): LngLat => ({
  lng: point.lng + (random() * 2 - 1) * 0.00045,
  lat: point.lat + (random() * 2 - 1) * 0.00036,
});

const fmt = (value: number, digits = 0) => (Number.isFinite(value) ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '-');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Milliseconds since the epoch with sub-millisecond precision, comparable between threads. */
const epochMs = () => performance.timeOrigin + performance.now();

// ---------------------------------------------------------------------------------------------------------
// Part 1: the index in process

const STRUCTURES: Array<{ name: string; make: () => RiderIndex }> = [
  { name: 'linear', make: () => new LinearRiderIndex() },
  { name: 'grid 125 m', make: () => new GridRiderIndex({ cellMeters: 125 }) },
  { name: 'grid 250 m', make: () => new GridRiderIndex({ cellMeters: 250 }) },
  { name: 'grid 500 m', make: () => new GridRiderIndex({ cellMeters: 500 }) },
];

function indexPart(sizes: number[]): string[] {
  const rows: string[] = [];
  for (const size of sizes) {
    const random = rng(size);
    const ids = Array.from({ length: size }, (_, i) => `rider-${i}`);
    const start = ids.map(() => inSeoul(random));
    const queries = Array.from({ length: 4096 }, () => inSeoul(random));
    for (const structure of STRUCTURES) {
      const index = structure.make();
      for (let i = 0; i < size; i++) index.upsert(ids[i], AGENCY, start[i]);
      // Moves: every rider takes steps in turn, so every position stays near where it started.
      const at = start.map((p) => ({ ...p }));
      let upserts = 0;
      const moveRandom = rng(7);
      const t0 = performance.now();
      while (performance.now() - t0 < 1000) {
        for (let k = 0; k < 4096; k++) {
          const i = (upserts + k) % size;
          at[i] = step(at[i], moveRandom);
          index.upsert(ids[i], AGENCY, at[i]);
        }
        upserts += 4096;
      }
      const upsertsPerSecond = upserts / ((performance.now() - t0) / 1000);
      // Queries, each timed, for up to 1 s (at least 50 of them).
      const samples: number[] = [];
      let checksum = 0;
      const q0 = performance.now();
      for (let i = 0; samples.length < 50 || (performance.now() - q0 < 1000 && samples.length < 20_000); i++) {
        const t = performance.now();
        const found = index.nearest(AGENCY, queries[i % queries.length], 30);
        samples.push((performance.now() - t) * 1000);
        checksum += found.length === 30 ? found[29].distanceMeters : -1;
      }
      samples.sort((a, b) => a - b);
      const line = `| ${fmt(size)} | ${structure.name} | ${fmt(upsertsPerSecond / 1e6, 2)} M | ${fmt(percentile(samples, 50), 1)} µs | ${fmt(percentile(samples, 99), 1)} µs |`;
      console.log(`${line} (${samples.length} queries, checksum ${checksum.toFixed(0)})`);
      rows.push(line);
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------------
// Part 2: the service, riders in worker threads

interface RiderJob {
  mode: 'riders';
  url: string;
  offerTimeoutSeconds: number;
  riders: Array<{ token: string; start: LngLat }>;
  seed: number;
}

/** What a riders thread reports at the end of a level. */
interface RiderTally {
  /** Order → offer of the orders whose food was ready at once (`latenciesMs`), and of those held for their ready time. */
  latenciesMs: number[];
  heldLatenciesMs: number[];
  /** Of the held ones: how long before the food was ready the offer reached the rider (negative: after). */
  heldLeadMs: number[];
  /** From the offer's transaction (its expiry less the offer timeout) to the rider's thread reading it. */
  toRiderMs: number[];
  offers: number;
  offersInWindow: number;
  acceptFailed: number;
  completed: number;
  firstError?: string;
  locationsSent: number;
  locationsRefused: number;
}

type ToRiders = { type: 'start'; windowStart: number; windowEnd: number } | { type: 'finish' };
type FromRiders = { type: 'connected'; connected: number; failed: number; firstError?: string } | { type: 'tally'; tally: RiderTally };

async function ridersThread(job: RiderJob): Promise<void> {
  const random = rng(job.seed);
  const sockets: Socket[] = [];
  const tally: RiderTally = { latenciesMs: [], heldLatenciesMs: [], heldLeadMs: [], toRiderMs: [], offers: 0, offersInWindow: 0, acceptFailed: 0, completed: 0, locationsSent: 0, locationsRefused: 0 };
  let window = { start: Infinity, end: -Infinity };
  const inWindow = (t: number) => t >= window.start && t < window.end;
  const fail = (message: string) => (tally.firstError ??= message);

  const ask = async (socket: Socket, event: string, payload: unknown) => {
    const reply = (await socket.timeout(30_000).emitWithAck(event, payload)) as { ok: boolean; code?: string; message?: string };
    if (!reply.ok) throw new Error(`${event}: ${reply.code} ${reply.message}`);
  };

  const connectOne = (token: string) =>
    new Promise<Socket>((resolve, reject) => {
      const socket = io(job.url, { auth: { token, acknowledgesOffers: true }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 60_000 });
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', (error) => reject(error));
    });

  // Connect at most 100 at a time: a real fleet does not connect in one instant, and the handshake checks a token in the database.
  let connected = 0;
  let failed = 0;
  let firstConnectError: string | undefined;
  let next = 0;
  const slots = Array.from({ length: Math.min(100, job.riders.length) }, async () => {
    while (next < job.riders.length) {
      const i = next++;
      try {
        const socket = await connectOne(job.riders[i].token);
        sockets[i] = socket;
        connected++;
      } catch (error) {
        failed++;
        firstConnectError ??= (error as Error).message;
      }
    }
  });
  await Promise.all(slots);

  for (const socket of sockets) {
    if (!socket) continue;
    socket.on('offer', async (offer: { offerId: string; deliveryId: string; restaurantName: string; expiresAt: string }) => {
      const received = epochMs();
      tally.offers++;
      const [, sent, ready] = /^bench (\d+(?:\.\d+)?)(?: ready (\d+))?$/.exec(offer.restaurantName) ?? [];
      const sentAt = Number(sent);
      if (inWindow(sentAt) && ready !== undefined) {
        tally.heldLatenciesMs.push(received - sentAt);
        tally.heldLeadMs.push(Number(ready) - received);
      } else if (inWindow(sentAt)) {
        tally.offersInWindow++;
        tally.latenciesMs.push(received - sentAt);
        tally.toRiderMs.push(received - (Date.parse(offer.expiresAt) - job.offerTimeoutSeconds * 1000));
      }
      // The app acknowledges the offer as it shows it; dispatch keeps when, for the share seen within 1 s.
      socket.emit('offer:seen', { offerId: offer.offerId });
      try {
        await ask(socket, 'offer:accept', { offerId: offer.offerId });
        await ask(socket, 'delivery:pickedUp', { deliveryId: offer.deliveryId });
        await ask(socket, 'delivery:delivered', { deliveryId: offer.deliveryId });
        tally.completed++;
      } catch (error) {
        tally.acceptFailed++;
        fail((error as Error).message);
      }
    });
  }
  parentPort!.postMessage({ type: 'connected', connected, failed, firstError: firstConnectError } satisfies FromRiders);

  const timers: NodeJS.Timeout[] = [];
  // As the rider app does: the first position and one every 30 s ask for an answer, the rest go without one; a
  // refused position is told by `refused`. Positions absorbed are counted by dispatch itself (its /metrics).
  const confirmedAt = new Map<Socket, number>();
  const refused = (reply: { code?: string; message?: string }) => {
    if (!inWindow(epochMs())) return;
    tally.locationsRefused++;
    fail(`location: ${reply.code} ${reply.message}`);
  };
  for (const socket of sockets) socket?.on('refused', (reply: { event: string; code?: string; message?: string }) => reply.event === 'location' && refused(reply));
  const report = (socket: Socket, point: LngLat) => {
    const sentAt = epochMs();
    if (inWindow(sentAt)) tally.locationsSent++;
    if (sentAt - (confirmedAt.get(socket) ?? -Infinity) < LOCATION_CONFIRM_MS) return void socket.emit('location', point);
    confirmedAt.set(socket, sentAt);
    socket.timeout(30_000).emit('location', point, (error: Error | null, reply?: { ok: boolean; code?: string; message?: string }) => {
      if (error) confirmedAt.delete(socket);
      if (error || !reply?.ok) refused(error ? { message: error.message } : reply!);
    });
  };

  parentPort!.on('message', (message: ToRiders) => {
    if (message.type === 'start') {
      window = { start: message.windowStart, end: message.windowEnd };
      sockets.forEach((socket, i) => {
        if (!socket) return;
        let at = job.riders[i].start;
        // First report somewhere in the first 5 s, then every 5 s: the fleet's updates spread evenly over time.
        timers.push(
          setTimeout(() => {
            report(socket, at);
            timers.push(
              setInterval(() => {
                at = step(at, random);
                report(socket, at);
              }, 5000),
            );
          }, random() * 5000),
        );
      });
    } else {
      timers.forEach((timer) => clearTimeout(timer));
      for (const socket of sockets) socket?.disconnect();
      parentPort!.postMessage({ type: 'tally', tally } satisfies FromRiders);
    }
  });
}

/** The RSS of another process, from /proc (Linux), in MB. */
function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

function serviceEnv(config: AppConfig, databaseUrl: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...envFor(config, databaseUrl, extra) };
  // No map keys: route-basis fees are the Turf estimate, so no provider's latency is in the figures.
  delete env.KAKAO_REST_API_KEY;
  delete env.NAVER_MAPS_CLIENT_ID;
  delete env.NAVER_MAPS_CLIENT_SECRET;
  return env;
}

/**
 * Stands in for order-intake on its RPC port: dispatch's outbox relay publishes every delivery's status changes
 * and charges there and, on TCP, waits for the consumer's reply. This answers every request at once, as a
 * consumer that committed, in Nest's TCP framing (`<length>#<json>`), so the relay runs as in production
 * instead of retrying against a closed port.
 */
function startStubIntake(port: number): Promise<net.Server> {
  const server = net.createServer((socket) => {
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      for (;;) {
        // Nest counts the length in UTF-16 code units of the JSON string, not in bytes.
        const hash = buffered.indexOf('#');
        if (hash < 0) return;
        const length = Number(buffered.slice(0, hash));
        if (buffered.length < hash + 1 + length) return;
        const packet = JSON.parse(buffered.slice(hash + 1, hash + 1 + length)) as { id?: string };
        buffered = buffered.slice(hash + 1 + length);
        if (packet.id === undefined) continue;
        const reply = JSON.stringify({ id: packet.id, response: { ok: true }, isDisposed: true });
        socket.write(`${reply.length}#${reply}`);
      }
    });
    socket.on('error', () => undefined);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

const here = path.dirname(fileURLToPath(import.meta.url));

/** Starts a service from its production entry point and waits until it answers /health. */
async function startProcess(service: 'dispatch' | 'fee', port: number, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const entry = path.resolve(here, `../apps/${service}/src/main.js`);
  // BENCH_SERVICE_LOGS=<dir> keeps each service's log (stdout) there, to see where an order's time goes.
  const logs = process.env.BENCH_SERVICE_LOGS;
  const stdout = logs ? openSync(path.join(logs, `${service}-${Date.now()}.log`), 'w') : 'ignore';
  // BENCH_DISPATCH_NODE_ARGS gives dispatch node flags (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to see where its time goes).
  const flags = service === 'dispatch' ? (process.env.BENCH_DISPATCH_NODE_ARGS ?? '').split(' ').filter(Boolean) : [];
  const child = spawn(process.execPath, [...flags, entry], { env, stdio: ['ignore', stdout, 'inherit'] });
  // A bench that dies must not leave services behind.
  const orphaned = () => child.kill('SIGKILL');
  process.once('exit', orphaned);
  child.once('exit', () => process.off('exit', orphaned));
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `${service} exited (${signal ?? code})`));
  for (let i = 0; i < 600; i++) {
    if (exited) throw new Error(exited);
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return child;
    await sleep(100);
  }
  throw new Error(`${service} did not become healthy in 60 s`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(10_000).then(() => child.kill('SIGKILL'))]);
}

interface LevelResult {
  riders: number;
  index: string;
  connected: number;
  connectSeconds: number;
  ordersSent: number;
  /** Orders ready at once: sent in the window, and offered. */
  ordersInWindow: number;
  offersInWindow: number;
  p50: number;
  p99: number;
  /** Orders held for their ready time (sent in the window, offered by the end of the drain), order → offer and the offer's lead on the food, p50/p99 ms. */
  held: { sent: number; offered: number; toOffer: [number, number]; lead: [number, number] };
  /** The dispatcher's planning rounds in the window, from its /metrics histogram: count, p50 and p99 ms. */
  rounds: { count: number; p50: number; p99: number };
  offersPerSecond: number;
  locationsPerSecond: number;
  locationsSentPerSecond: number;
  locationsRefused: number;
  acceptFailed: number;
  completed: number;
  rssIdleMb: number;
  rssConnectedMb: number;
  rssPeakMb: number;
  /** Events in dispatch's outbox not yet published as the window ends, and how long the oldest has waited. */
  eventsWaiting: number;
  oldestEventSeconds: number;
  /** Where an order's time went, p50 / p99 ms, from the database's own timestamps (see `stagesOf`). */
  stages: Stages;
  /** CPU over the measured window, % of one core per process, and how busy the whole machine was (%). */
  cpu: { dispatch: number; fee: number; postgres: number; bench: number; machine: number };
  /** The load average (1, 5, 15 min) as the window ended. */
  load: string;
  links: LinkFigures;
  firstError?: string;
}

/** p50 and p99 of each stage of order → offer, in ms. */
interface Stages {
  toDelivery: [number, number];
  toQuote: [number, number];
  /** The quote stage in three: → fee began pricing (its `pricedAt`), → fee's insert began, → dispatch's price transaction began. */
  toFeePricing: [number, number];
  toFeeInsert: [number, number];
  backToDispatch: [number, number];
  toOffer: [number, number];
  /** The offer's transaction → the rider's thread has it (commit, the socket write, the rider's side). */
  toRider: [number, number];
}

/**
 * Where the time of the window's orders went, read from the database: sent → delivery row committed (`created_at`),
 * → quote stored (`quoted_at`), → first offer written (the offer's `created_at`). PostgreSQL's `now()` is its
 * transaction's start, so each stage ends when the transaction that did it began; what follows the last (commit,
 * the socket write, the rider's thread) is the rest of the measured order → offer.
 */
/** Transactions committed in the database so far (read-only ones too). */
async function transactions(admin: pg.Client): Promise<number> {
  const { rows } = await admin.query<{ commits: number }>('SELECT xact_commit::float8 AS commits FROM pg_stat_database WHERE datname = current_database()');
  return rows[0]!.commits;
}

/** The statements that took most of the database's time since the window started (planning and execution). */
async function printStatements(admin: pg.Client, limit: number, seconds: number): Promise<void> {
  const { rows } = await admin.query<{ calls: number; ms: number; plan_ms: number; rows: number; query: string }>(
    `SELECT calls::int, (total_exec_time + total_plan_time)::float8 AS ms, total_plan_time::float8 AS plan_ms, rows::int,
            left(regexp_replace(query, '\\s+', ' ', 'g'), 140) AS query
       FROM public.pg_stat_statements ORDER BY total_exec_time + total_plan_time DESC`,
  );
  const total = rows.reduce((sum, r) => sum + r.ms, 0);
  const calls = rows.reduce((sum, r) => sum + r.calls, 0);
  console.log(`  database: ${fmt(calls / seconds)} statements/s, ${fmt(total / seconds / 10, 1)} % of a core planning and executing them; the top ${limit}:`);
  for (const r of rows.slice(0, limit)) {
    console.log(`    ${fmt(r.calls / seconds).padStart(6)}/s ${fmt(r.ms / r.calls, 3).padStart(8)} ms (plan ${fmt(r.plan_ms / r.calls, 3)}) ${fmt(r.rows / r.calls, 1).padStart(6)} rows | ${r.query}`);
  }
}

/** Each process's share of one core between two readings, and the machine's busy share of all its cores. */
function cpuShares(
  start: { dispatch: number; fee: number; postgres: number; bench: number; machine: { busy: number; total: number }; at: number } | undefined,
  end: typeof start,
): LevelResult['cpu'] {
  if (!start || !end) return { dispatch: NaN, fee: NaN, postgres: NaN, bench: NaN, machine: NaN };
  const share = (key: 'dispatch' | 'fee' | 'postgres' | 'bench') => (100 * (end[key] - start[key])) / (end.at - start.at);
  return {
    dispatch: share('dispatch'),
    fee: share('fee'),
    postgres: share('postgres'),
    bench: share('bench'),
    machine: (100 * (end.machine.busy - start.machine.busy)) / (end.machine.total - start.machine.total),
  };
}

/** p50 and p99 of `values` (sorted in place). */
function spread(values: number[]): [number, number] {
  values.sort((a, b) => a - b);
  return [percentile(values, 50), percentile(values, 99)];
}

const stageText = ([p50, p99]: [number, number]) => `${fmt(p50)}/${fmt(p99)}`;

/** The planning round histogram on dispatch's /metrics: cumulative counts by upper bound (seconds). */
type RoundTimes = Array<{ le: number; count: number }>;

/** What the bench reads of dispatch's /metrics: the planning rounds' histogram and the rider positions taken so far. */
interface DispatchReading {
  rounds: RoundTimes;
  positions: number;
}

async function readDispatch(port: number): Promise<DispatchReading> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const rounds = [...text.matchAll(/^baecha_dispatch_planning_round_duration_seconds_bucket\{le="([^"]+)"[^}]*\} (\d+)/gm)].map(([, le, count]) => ({
    le: le === '+Inf' ? Infinity : Number(le),
    count: Number(count),
  }));
  return { rounds, positions: Number(/^baecha_dispatch_rider_positions_total(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? NaN) };
}

/** The rounds between two readings, and their p50 and p99 in ms, interpolated within the histogram's buckets. */
function roundsBetween(start: RoundTimes, end: RoundTimes): LevelResult['rounds'] {
  const counts = end.map((b, i) => ({ le: b.le, count: b.count - (start[i]?.count ?? 0) }));
  const total = counts.at(-1)?.count ?? 0;
  const quantile = (q: number) => {
    const rank = q * total;
    let below = { le: 0, count: 0 };
    for (const bucket of counts) {
      if (bucket.count >= rank) {
        if (!Number.isFinite(bucket.le)) return below.le * 1000;
        const within = bucket.count === below.count ? 0 : (rank - below.count) / (bucket.count - below.count);
        return (below.le + within * (bucket.le - below.le)) * 1000;
      }
      below = bucket;
    }
    return NaN;
  };
  return { count: total, p50: total ? quantile(0.5) : NaN, p99: total ? quantile(0.99) : NaN };
}

async function stagesOf(admin: pg.Client, agencyId: string, windowStart: number, windowEnd: number): Promise<Omit<Stages, 'toRider'>> {
  const { rows } = await admin.query<{ sent: number; created: number; quoted: number | null; offered: number | null; fee_priced: number | null; fee_stored: number | null; held: boolean }>(
    `SELECT split_part(d.restaurant_name, ' ', 2)::float8 AS sent,
            extract(epoch FROM d.created_at) * 1000 AS created,
            extract(epoch FROM d.quoted_at) * 1000 AS quoted,
            (SELECT extract(epoch FROM min(o.created_at)) * 1000 FROM dispatch.offers o WHERE o.delivery_id = d.id) AS offered,
            extract(epoch FROM (d.fee->>'pricedAt')::timestamptz) * 1000 AS fee_priced,
            (SELECT extract(epoch FROM q.created_at) * 1000 FROM fee.quotes q WHERE q.id = (d.fee->>'quoteId')::uuid) AS fee_stored,
            d.restaurant_name LIKE '% ready %' AS held
       FROM dispatch.deliveries d
      WHERE d.agency_id = $1 AND d.restaurant_name LIKE 'bench %'`,
    [agencyId],
  );
  // The orders ready at once: a held one's wait for its food is not dispatch's time.
  const inWindow = rows.filter((r) => r.sent >= windowStart && r.sent < windowEnd && !r.held);
  const quoted = inWindow.filter((r) => r.quoted !== null && r.fee_priced !== null && r.fee_stored !== null);
  return {
    toDelivery: spread(inWindow.map((r) => r.created - r.sent)),
    toQuote: spread(inWindow.filter((r) => r.quoted !== null).map((r) => r.quoted! - r.created)),
    toFeePricing: spread(quoted.map((r) => r.fee_priced! - r.created)),
    toFeeInsert: spread(quoted.map((r) => r.fee_stored! - r.fee_priced!)),
    backToDispatch: spread(quoted.map((r) => r.quoted! - r.fee_stored!)),
    toOffer: spread(inWindow.filter((r) => r.offered !== null && r.quoted !== null).map((r) => r.offered! - r.quoted!)),
  };
}

async function runLevel(options: {
  riders: number;
  index: string;
  config: AppConfig;
  databaseUrl: string;
  admin: pg.Client;
  provisioning: Awaited<ReturnType<typeof openServiceDatabases>>;
  ordersPerSecond: number;
  seconds: number;
  warmupSeconds: number;
  /** The share of orders whose food is ready later, and how much later (seconds, uniformly between the two). */
  readyLater: { share: number; from: number; to: number };
  workers: number;
  /** Print the statements that took most of the database's time in the window, this many (0: none). */
  statements: number;
  feePid: number;
  /** PostgreSQL's data directory, for its CPU time. */
  postgresDir: string;
}): Promise<LevelResult> {
  const { riders: count, config, admin } = options;
  // A fresh agency per level: its riders, and its deliveries, are the level's alone.
  const { agencyId } = await provisionAgency(options.provisioning.dispatch, { name: `벤치마크 대행 ${count} ${options.index}` });
  const random = rng(count);
  const riders = Array.from({ length: count }, (_, i) => ({ id: randomUUID(), name: `라이더 ${i + 1}`, token: newSecret('rt_'), start: inSeoul(random) }));
  const t0 = performance.now();
  await admin.query(
    `INSERT INTO dispatch.riders (id, agency_id, name, token_hash, capacity)
     SELECT id, $1, name, token_hash, 3 FROM unnest($2::uuid[], $3::text[], $4::text[]) AS r(id, name, token_hash)`,
    [agencyId, riders.map((r) => r.id), riders.map((r) => r.name), riders.map((r) => r.token.hash)],
  );
  console.log(`  ${count} riders provisioned in ${((performance.now() - t0) / 1000).toFixed(2)} s (one INSERT)`);

  const dispatch = await startProcess('dispatch', config.httpPorts.dispatch, serviceEnv(config, options.databaseUrl, { DISPATCH_RIDER_INDEX: options.index }));
  const pid = dispatch.pid!;
  try {
    await sleep(1000);
    const rssIdleMb = rssMb(pid);
    const url = `http://127.0.0.1:${config.httpPorts.dispatch}/riders`;
    const workers = Array.from({ length: options.workers }, (_, w) => {
      const mine = riders.filter((_, i) => i % options.workers === w).map((r) => ({ token: r.token.secret, start: r.start }));
      return new Worker(fileURLToPath(import.meta.url), { workerData: { mode: 'riders', url, offerTimeoutSeconds: config.dispatch.offerTimeoutSeconds, riders: mine, seed: count + w } satisfies RiderJob });
    });
    const nextMessage = (worker: Worker) =>
      new Promise<FromRiders>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    const connectStarted = performance.now();
    const connectedReplies = await Promise.all(workers.map(nextMessage));
    const connectSeconds = (performance.now() - connectStarted) / 1000;
    let connected = 0;
    let connectFailed = 0;
    let firstError: string | undefined;
    for (const reply of connectedReplies) {
      if (reply.type !== 'connected') continue;
      connected += reply.connected;
      connectFailed += reply.failed;
      firstError ??= reply.firstError;
    }
    const deadCount = Math.min(count, Number(process.env.BENCH_DEAD_SOCKETS ?? 100));
    const dead = await DeadConnections.connect(config.httpPorts.dispatch, riders.slice(0, deadCount).map((r) => r.token.secret));
    const rssConnectedMb = rssMb(pid);
    console.log(`  ${connected} riders connected in ${connectSeconds.toFixed(1)} s${connectFailed ? `, ${connectFailed} failed (${firstError})` : ''}; dispatch RSS ${fmt(rssIdleMb)} MB idle, ${fmt(rssConnectedMb)} MB connected`);

    const windowStart = epochMs() + options.warmupSeconds * 1000;
    let commitsAtStart: Promise<number> | undefined;
    if (options.statements > 0) {
      setTimeout(() => {
        void admin.query('SELECT public.pg_stat_statements_reset()');
        commitsAtStart = transactions(admin);
      }, windowStart - epochMs());
    }
    const windowEnd = windowStart + options.seconds * 1000;
    // CPU time of each process over the window: where the machine's cores went.
    const cpuNow = () => ({
      dispatch: processCpuMs(pid),
      fee: processCpuMs(options.feePid),
      postgres: postgresCpuMs(options.postgresDir),
      bench: (({ user, system }) => (user + system) / 1000)(process.cpuUsage()),
      machine: machineCpuMs(),
      at: epochMs(),
    });
    let cpuAtStart: ReturnType<typeof cpuNow> | undefined;
    let cpuAtEnd: ReturnType<typeof cpuNow> | undefined;
    setTimeout(() => (cpuAtStart = cpuNow()), windowStart - epochMs());
    setTimeout(() => (cpuAtEnd = cpuNow()), windowEnd - epochMs());
    setTimeout(() => dead.silence(), windowStart + (options.seconds * 1000) / 4 - epochMs());
    for (const worker of workers) worker.postMessage({ type: 'start', windowStart, windowEnd } satisfies ToRiders);

    // Orders at a steady rate, as order-intake's relay sends them.
    const publisher = ClientProxyFactory.create(clientOptions(config, 'dispatch'));
    await publisher.connect();
    const orderRandom = rng(count * 31);
    let ordersSent = 0;
    let ordersInWindow = 0;
    let heldInWindow = 0;
    let lastHeldReady = 0;
    let readingAtStart: Promise<DispatchReading> | undefined;
    setTimeout(() => (readingAtStart = readDispatch(config.httpPorts.dispatch)), windowStart - epochMs());
    let publishFailed = 0;
    let rssPeakMb = rssConnectedMb;
    const sendOrder = () => {
      const pickup = inSeoul(orderRandom);
      const dropoff = { lng: pickup.lng + (orderRandom() * 2 - 1) * 0.02, lat: pickup.lat + (orderRandom() * 2 - 1) * 0.015 };
      const sentAt = epochMs();
      const { share, from, to } = options.readyLater;
      // Some food is ready later (its delivery is held for it), the rest at once.
      const readyAt = orderRandom() < share ? Math.round(sentAt + (from + orderRandom() * (to - from)) * 1000) : undefined;
      const event: OrderCreatedEvent = {
        eventId: randomUUID(),
        occurredAt: new Date().toISOString(),
        orderId: randomUUID(),
        agencyId,
        restaurantId: randomUUID(),
        // The offer repeats the restaurant's name: the rider's thread reads the send time back from it.
        restaurantName: `bench ${sentAt.toFixed(3)}${readyAt === undefined ? '' : ` ready ${readyAt}`}`,
        readyAt: new Date(readyAt ?? sentAt).toISOString(),
        externalOrderId: `bench-${randomUUID()}`,
        pickup: { ...pickup, address: '서울특별시 중구 세종대로 110' },
        dropoff: { ...dropoff, address: '서울특별시 종로구 세종대로 172', detail: '3층' },
        orderAmount: 18000,
      } as OrderCreatedEvent;
      ordersSent++;
      if (sentAt >= windowStart && sentAt < windowEnd && readyAt === undefined) ordersInWindow++;
      if (sentAt >= windowStart && sentAt < windowEnd && readyAt !== undefined) {
        heldInWindow++;
        lastHeldReady = Math.max(lastHeldReady, readyAt);
      }
      lastValueFrom(publisher.send(PATTERNS.ORDER_CREATED, event)).catch((error: unknown) => {
        publishFailed++;
        firstError ??= `order.created: ${(error as Error)?.message ?? JSON.stringify(error)}`;
      });
    };
    const sendStarted = epochMs();
    const drainUntil = windowEnd + 5000;
    while (epochMs() < windowEnd) {
      const due = Math.floor(((epochMs() - sendStarted) / 1000) * options.ordersPerSecond);
      while (ordersSent < due) sendOrder();
      rssPeakMb = Math.max(rssPeakMb, rssMb(pid));
      await sleep(10);
    }
    const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
    const readingAtEnd = readDispatch(config.httpPorts.dispatch);
    await sleep(20);
    const cpu = cpuShares(cpuAtStart, cpuAtEnd);
    // How far the relay is behind: the restaurants' status events and fee's charges wait in the outbox.
    const [backlog] = (
      await options.admin.query<{ waiting: number; oldest: number | null }>(
        `SELECT count(*)::int AS waiting, extract(epoch FROM now() - min(created_at))::float8 AS oldest
           FROM dispatch.outbox WHERE published_at IS NULL`,
      )
    ).rows;
    if (options.statements > 0) {
      const commits = (await transactions(admin)) - (await commitsAtStart!);
      console.log(`  database: ${fmt(commits / options.seconds)} transactions/s committed`);
      await printStatements(admin, options.statements, options.seconds);
    }
    // Orders sent near the end may still be in flight, and held ones are offered shortly before their food is
    // ready: give their offers time to arrive.
    while (epochMs() < Math.max(drainUntil, lastHeldReady + 5000)) {
      rssPeakMb = Math.max(rssPeakMb, rssMb(pid));
      await sleep(100);
    }
    await publisher.close();
    const stages = await stagesOf(admin, agencyId, windowStart, windowEnd);
    const links = { ...(await seenFigures(admin, agencyId, windowStart, windowEnd)), ...(await dead.comeBack(30_000)) };

    const tallies = await Promise.all(
      workers.map(async (worker) => {
        const reply = nextMessage(worker);
        worker.postMessage({ type: 'finish' } satisfies ToRiders);
        const message = await reply;
        await worker.terminate();
        return message.type === 'tally' ? message.tally : undefined;
      }),
    );
    const latencies: number[] = [];
    const toRider: number[] = [];
    const heldLatencies: number[] = [];
    const heldLead: number[] = [];
    const sum = { offersInWindow: 0, locationsSent: 0, locationsRefused: 0, acceptFailed: 0, completed: 0 };
    for (const tally of tallies) {
      if (!tally) continue;
      for (const l of tally.latenciesMs) latencies.push(l);
      for (const l of tally.toRiderMs) toRider.push(l);
      for (const l of tally.heldLatenciesMs) heldLatencies.push(l);
      for (const l of tally.heldLeadMs) heldLead.push(l);
      for (const key of Object.keys(sum) as Array<keyof typeof sum>) sum[key] += tally[key];
      firstError ??= tally.firstError;
    }
    latencies.sort((a, b) => a - b);
    if (publishFailed) firstError = `${publishFailed} order.created failed: ${firstError}`;
    return {
      riders: count,
      index: options.index,
      connected,
      connectSeconds,
      ordersSent,
      ordersInWindow,
      offersInWindow: sum.offersInWindow,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      held: { sent: heldInWindow, offered: heldLatencies.length, toOffer: spread(heldLatencies), lead: spread(heldLead) },
      rounds: roundsBetween((await readingAtStart!).rounds, (await readingAtEnd).rounds),
      offersPerSecond: sum.offersInWindow / options.seconds,
      locationsPerSecond: ((await readingAtEnd).positions - (await readingAtStart!).positions) / options.seconds,
      locationsSentPerSecond: sum.locationsSent / options.seconds,
      locationsRefused: sum.locationsRefused,
      acceptFailed: sum.acceptFailed,
      completed: sum.completed,
      rssIdleMb,
      rssConnectedMb,
      rssPeakMb,
      eventsWaiting: backlog?.waiting ?? 0,
      oldestEventSeconds: backlog?.oldest ?? 0,
      stages: { ...stages, toRider: spread(toRider) },
      cpu,
      load,
      links,
      firstError,
    };
  } finally {
    await stopProcess(dispatch);
  }
}

/** `socketsOnly` (BENCH_MODE=sockets): riders connect and report positions, no orders; for dispatch's RSS per connection. */
async function servicePart(socketsOnly = false): Promise<string[]> {
  const levels = (process.env.BENCH_RIDERS ?? '1000,10000').split(',').map(Number);
  const indexes = (process.env.BENCH_INDEXES ?? (socketsOnly ? 'grid' : 'grid,linear')).split(',');
  const ordersPerSecond = socketsOnly ? 0 : Number(process.env.BENCH_ORDERS_PER_SECOND ?? 100);
  const seconds = Number(process.env.BENCH_SECONDS ?? (socketsOnly ? 1 : 20));
  const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? (socketsOnly ? 0 : 10));
  const [from, to] = (process.env.BENCH_READY_LATER_SECONDS ?? '60-120').split('-').map(Number) as [number, number];
  const readyLater = { share: Number(process.env.BENCH_READY_LATER_SHARE ?? 0.3), from, to };
  const dataDir = await mkdtemp(path.join(tmpdir(), 'baecha-bench-'));
  console.log(
    `\npart 2: embedded PostgreSQL in ${dataDir}; riders ${levels.join(', ')} × index ${indexes.join(', ')}; ` +
      `${ordersPerSecond} orders/s; ${seconds} s measured after ${warmupSeconds} s of warm-up`,
  );
  // BENCH_PG_STATEMENTS=N prints the N statements that took the database's time in each level's window.
  const statements = Number(process.env.BENCH_PG_STATEMENTS ?? 0);
  const db = await startEmbeddedPostgres({
    dataDir,
    database: 'bench',
    settings: statements > 0 ? { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track_planning': 'on' } : {},
  });
  const names = ['INTAKE_PORT', 'DISPATCH_PORT', 'FEE_PORT', 'INTAKE_RPC_PORT', 'DISPATCH_RPC_PORT', 'FEE_RPC_PORT'];
  const free = await freePorts(names.length);
  const ports = Object.fromEntries(names.map((name, i) => [name, String(free[i])]));
  const config = loadConfig({ ...process.env, DATABASE_URL: undefined, TRANSPORT: 'tcp', ...ports, LOG_LEVEL: process.env.LOG_LEVEL ?? 'error' });
  // The real migrations of every schema, as `npm start` applies them.
  const provisioning = await openServiceDatabases(db.url);
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  if (statements > 0) await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements SCHEMA public');
  // BENCH_INTAKE=down leaves order-intake's RPC port closed: dispatch's events to it fail and wait in the outbox.
  const intake = process.env.BENCH_INTAKE === 'down' ? undefined : await startStubIntake(config.rpcPorts.intake);
  const fee = await startProcess('fee', config.httpPorts.fee, serviceEnv(config, db.url));
  const results: LevelResult[] = [];
  try {
    for (const riders of levels) {
      for (const index of indexes) {
        const workers = Number(process.env.BENCH_WORKERS ?? Math.min(4, Math.max(2, Math.ceil(riders / 2500))));
        console.log(`level: ${riders} riders, DISPATCH_RIDER_INDEX=${index}, ${workers} rider threads`);
        const r = await runLevel({
          riders,
          index,
          config,
          databaseUrl: db.url,
          admin,
          provisioning,
          ordersPerSecond,
          seconds,
          warmupSeconds,
          readyLater,
          workers,
          statements,
          feePid: fee.pid!,
          postgresDir: path.join(dataDir, 'postgres'),
        });
        console.log(
          `  order→offer p50 ${fmt(r.p50, 1)} ms, p99 ${fmt(r.p99, 1)} ms; ${fmt(r.offersPerSecond, 1)} offers/s (${r.offersInWindow} of ${r.ordersInWindow} orders sent in the window); ` +
            `${fmt(r.locationsPerSecond)} positions/s absorbed of ${fmt(r.locationsSentPerSecond)} sent; dispatch RSS peak ${fmt(r.rssPeakMb)} MB; ` +
            `${fmt(r.eventsWaiting)} events waiting in dispatch's outbox as the window ended (oldest ${fmt(r.oldestEventSeconds, 1)} s); ` +
            `${r.completed} delivered, ${r.acceptFailed} accept/pickup/deliver failed${r.locationsRefused ? `, ${r.locationsRefused} positions refused` : ''}` +
            `${r.firstError ? ` (first error: ${r.firstError})` : ''}`,
        );
        console.log(
          `  held for their ready time: ${r.held.offered} of ${r.held.sent} offered, order→offer p50/p99 ${fmt(r.held.toOffer[0] / 1000, 1)}/${fmt(r.held.toOffer[1] / 1000, 1)} s, ` +
            `offer before the food was ready p50/p99 ${fmt(r.held.lead[0] / 1000, 1)}/${fmt(r.held.lead[1] / 1000, 1)} s; ` +
            `planning rounds in the window ${r.rounds.count}, p50 ${fmt(r.rounds.p50, 1)} ms, p99 ${fmt(r.rounds.p99, 1)} ms`,
        );
        console.log(
          `  stages p50/p99 ms: sent → delivery ${stageText(r.stages.toDelivery)}, → quote ${stageText(r.stages.toQuote)} ` +
            `(→ fee pricing ${stageText(r.stages.toFeePricing)}, → fee's insert ${stageText(r.stages.toFeeInsert)}, → dispatch's transaction ${stageText(r.stages.backToDispatch)}), ` +
            `→ offer ${stageText(r.stages.toOffer)}, → rider ${stageText(r.stages.toRider)}`,
        );
        console.log(
          `  CPU in the window, % of one core: dispatch ${fmt(r.cpu.dispatch)}, fee ${fmt(r.cpu.fee)}, PostgreSQL ${fmt(r.cpu.postgres)}, this bench (riders, orders) ${fmt(r.cpu.bench)}; ` +
            `the machine's ${os.cpus().length} cores ${fmt(r.cpu.machine)} % busy; load average ${r.load}`,
        );
        console.log(`  ${linkText(r.links)}`);
        results.push(r);
      }
    }
  } finally {
    await stopProcess(fee);
    if (intake) await new Promise((resolve) => intake.close(resolve));
    await admin.end();
    await provisioning.close();
    await db.stop();
    await rm(dataDir, { recursive: true, force: true });
  }

  const rows = [
    '| riders | index | connected | order→offer p50 ms | p99 ms | offers/s | orders in window | held: offered of sent, order→offer p50/p99 s, offer before ready p50/p99 s | planning rounds: count, p50 / p99 ms | positions/s absorbed (sent) | dispatch RSS idle / connected / peak MB | events waiting at window end (oldest s) | stages p50/p99 ms: → delivery, → quote (→ fee pricing, → fee insert, → dispatch), → offer, → rider | CPU % of a core: dispatch, fee, PostgreSQL, bench; machine busy % | load average | failed |',
    '|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|',
    ...results.map(
      (r) =>
        `| ${fmt(r.riders)} | ${r.index} | ${fmt(r.connected)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${fmt(r.offersPerSecond, 1)} | ${fmt(r.ordersInWindow)} | ` +
        `${r.held.offered} of ${r.held.sent}, ${fmt(r.held.toOffer[0] / 1000, 1)}/${fmt(r.held.toOffer[1] / 1000, 1)}, ${fmt(r.held.lead[0] / 1000, 1)}/${fmt(r.held.lead[1] / 1000, 1)} | ` +
        `${fmt(r.rounds.count)}, ${fmt(r.rounds.p50, 1)} / ${fmt(r.rounds.p99, 1)} | ` +
        `${fmt(r.locationsPerSecond)} (${fmt(r.locationsSentPerSecond)}) | ${fmt(r.rssIdleMb)} / ${fmt(r.rssConnectedMb)} / ${fmt(r.rssPeakMb)} | ` +
        `${fmt(r.eventsWaiting)} (${fmt(r.oldestEventSeconds, 1)}) | ${stageText(r.stages.toDelivery)}, ${stageText(r.stages.toQuote)} ` +
        `(${stageText(r.stages.toFeePricing)}, ${stageText(r.stages.toFeeInsert)}, ${stageText(r.stages.backToDispatch)}), ${stageText(r.stages.toOffer)}, ${stageText(r.stages.toRider)} | ` +
        `${fmt(r.cpu.dispatch)}, ${fmt(r.cpu.fee)}, ${fmt(r.cpu.postgres)}, ${fmt(r.cpu.bench)}; ${fmt(r.cpu.machine)} | ${r.load} | ${r.acceptFailed + r.locationsRefused} |`,
    ),
  ];
  rows.push(
    '',
    "| riders | index | offers in window | seen within 1 s | seen p50 / p99 ms | dead connections noticed | noticed after p50 / p99 / max s | replayed events p50 / p99 / max | rebuilds |",
    '|--:|---|--:|--:|--:|--:|--:|--:|--:|',
    ...results.map(
      ({ riders, index, links: l }) =>
        `| ${fmt(riders)} | ${index} | ${fmt(l.offers)} | ${fmt(l.seenWithin1s * 100, 1)} % | ${fmt(l.seenP50, 1)} / ${fmt(l.seenP99, 1)} | ${l.deadDetected} of ${l.dead} | ` +
        `${fmt(l.deadP50, 1)} / ${fmt(l.deadP99, 1)} / ${fmt(l.deadMax, 1)} | ${fmt(l.replayP50)} / ${fmt(l.replayP99)} / ${fmt(l.replayMax)} | ${l.rebuilds} |`,
    ),
  );
  if (socketsOnly) {
    return [
      '| riders | connected | connect s | dispatch RSS idle / connected MB | per connection KB | positions/s absorbed (sent) |',
      '|--:|--:|--:|--:|--:|--:|',
      ...results.map(
        (r) =>
          `| ${fmt(r.riders)} | ${fmt(r.connected)} | ${fmt(r.connectSeconds, 1)} | ${fmt(r.rssIdleMb)} / ${fmt(r.rssConnectedMb)} | ` +
          `${fmt(((r.rssConnectedMb - r.rssIdleMb) * 1024) / r.connected, 1)} | ${fmt(r.locationsPerSecond)} (${fmt(r.locationsSentPerSecond)}) |`,
      ),
    ];
  }
  // The goal: 10,000 riders, 100 orders/s, order→offer p99 under 200 ms for the orders ready at once, dispatch RSS under 500 MB.
  for (const r of results.filter((r) => r.riders === 10_000)) {
    const met = r.p99 < 200 && r.rssPeakMb < 500 && r.offersInWindow >= 0.99 * r.ordersInWindow && ordersPerSecond >= 100;
    rows.push(
      `\n${met ? 'PASS' : 'FAIL'} (${r.index}): 10,000 riders at ${ordersPerSecond} orders/s: p99 ${fmt(r.p99, 1)} ms (goal < 200), ` +
        `peak RSS ${fmt(r.rssPeakMb)} MB (goal < 500), ${r.offersInWindow} of ${r.ordersInWindow} orders ready at once offered`,
    );
  }
  return rows;
}

function linkText(l: LinkFigures): string {
  return (
    `offers seen within 1 s: ${fmt(l.seenWithin1s * 100, 1)} % of ${l.offers} (p50 ${fmt(l.seenP50, 1)} ms, p99 ${fmt(l.seenP99, 1)} ms); ` +
    `dead connections noticed: ${l.deadDetected} of ${l.dead}, after p50 ${fmt(l.deadP50, 1)} s, p99 ${fmt(l.deadP99, 1)} s, max ${fmt(l.deadMax, 1)} s; ` +
    `replayed on coming back: p50 ${fmt(l.replayP50)}, p99 ${fmt(l.replayP99)}, max ${fmt(l.replayMax)} events, ${l.rebuilds} rebuilds`
  );
}

async function main(): Promise<void> {
  const mode = process.env.BENCH_MODE ?? 'all';
  console.log(`load average at start: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (1, 5, 15 min; ${os.cpus().length} cores)`);
  const out: string[] = [];
  if (mode === 'index' || mode === 'all') {
    const sizes = (process.env.BENCH_INDEX_SIZES ?? '1000,10000,100000').split(',').map(Number);
    console.log('part 1: the rider index in process, single thread; one agency over 30 × 30 km of Seoul; nearest(limit 30) from random points');
    out.push('| riders | structure | upserts/s | nearest p50 | nearest p99 |', '|--:|---|--:|--:|--:|', ...indexPart(sizes));
  }
  if (mode === 'service' || mode === 'all') out.push('', ...(await servicePart()));
  if (mode === 'sockets') out.push('', ...(await servicePart(true)));
  console.log(`\n${out.join('\n')}`);
}

if (isMainThread) runMain(main);
else void ridersThread(workerData as RiderJob);
