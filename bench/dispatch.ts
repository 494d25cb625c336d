import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { ClientProxyFactory } from '@nestjs/microservices';
import { Redis } from 'ioredis';
import pg from 'pg';
import { lastValueFrom } from 'rxjs';
import { io, type Socket } from 'socket.io-client';
import { loadConfig, type AppConfig } from '#config';
import { LOCATION_CONFIRM_MS, PATTERNS, type LngLat, type OrderCreatedEvent } from '#contracts';
import { freePorts, startEmbeddedPostgres } from '#database';
import { clientOptions } from '#messaging';
import { newSecret, runMain } from '#platform';
import { GridRiderIndex, LinearRiderIndex, type RiderIndex } from '#planner';
import { provisionAgency } from '../apps/dispatch/src/agencies/agencies.provisioning.js';
import { envFor } from '../test/support/config.js';
import { deleteRedisKeys } from '../test/support/redis.js';
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
 * Several dispatch instances (BENCH_DISPATCH_INSTANCES, e.g. `1,2`; default 1): each level of the service part runs
 * once per instance count. More than one runs with DISPATCH_CLUSTER=redis on REDIS_URL (required; a key prefix of
 * its own per run, its keys deleted at the end) and each instance on its own ports; the rider threads are split
 * evenly between the instances (each thread connects to one), and orders go round-robin to the instances' RPC
 * ports, as RabbitMQ spreads a shared queue over its consumers. Riders, and orders (at random), are spread over
 * BENCH_AGENCIES agencies (default 1 when every level has one instance, else 4, for every level of the run alike),
 * so each instance owns the leases of some and plans them; the level waits for the leases to be shared out and
 * reports who holds which (the dead connections below go to the first instance), and order → offer written apart
 * for orders that reached their agency's owner and for those that reached another instance, which leaves the offer
 * to the owner's next round. Every level starts on an empty dispatch schema (the previous level's agencies, riders
 * and deliveries removed), so each instance's share of leases is of the level's own agencies.
 * BENCH_DISPATCH_CLUSTER=redis runs one instance in that mode too.
 *
 * Throughput: BENCH_ORDERS_PER_SECOND takes a list (e.g. `100,300`), one level per rate. At each, the offers of
 * orders ready at once that reached riders during the window, per second, whenever those orders were sent, and
 * how many such orders sent by the window's end had no offer by then (the backlog): a rate a configuration
 * sustains shows offers/s near the rate's ready-at-once share and a small backlog; above it, offers/s is what it
 * sustains and the backlog grows. A configuration's order → offer throughput is its best offers/s over the rates;
 * with one and two instances measured, the run prints whether two lose at most 25 % of one's (PASS/FAIL), saying
 * when both kept up with the highest rate (the figure is then a floor, not a ceiling). Per level it also prints
 * each instance's riders, leases, CPU and RSS, Redis's CPU (its INFO, the whole server's), and what a note needs to
 * estimate riders per core: positions absorbed and offers per dispatch CPU-second, riders per dispatch core.
 *
 * BENCH_MODE (index|service|sockets|all, default all), BENCH_INDEX_SIZES (default 1000,10000,100000),
 * BENCH_RIDERS (default 1000,10000), BENCH_ORDERS_PER_SECOND (default 100; a list runs each), BENCH_SECONDS (default 20) measured
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
  /** Offers of orders ready at once that reached the rider in the window, and before its end, whenever sent: throughput and backlog. */
  receivedInWindow: number;
  receivedBeforeEnd: number;
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
  const tally: RiderTally = { latenciesMs: [], heldLatenciesMs: [], heldLeadMs: [], toRiderMs: [], offers: 0, offersInWindow: 0, receivedInWindow: 0, receivedBeforeEnd: 0, acceptFailed: 0, completed: 0, locationsSent: 0, locationsRefused: 0 };
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
      if (ready === undefined && received < window.end) {
        tally.receivedBeforeEnd++;
        if (received >= window.start) tally.receivedInWindow++;
      }
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

/** One dispatch instance of a level: where it listens, its riders, the agencies it plans, and what it cost. */
interface InstanceFigures {
  port: number;
  pid: number;
  /** Riders whose sockets it holds (connected), their positions acked per second in the window, and offers they received in it. */
  riders: number;
  positionsPerSecond: number;
  offersReceived: number;
  /** The agencies whose leases it held as the window began. */
  leases: string[];
  /** % of one core in the window. */
  cpu: number;
  rssIdleMb: number;
  rssConnectedMb: number;
  rssPeakMb: number;
}

interface LevelResult {
  riders: number;
  index: string;
  instances: number;
  agencies: number;
  ordersPerSecond: number;
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
  /** Offers of orders ready at once that reached riders in the window, per second (whenever sent), and those sent by its end not offered by then. */
  throughput: { offersPerSecond: number; backlog: number; readyAtOncePerSecond: number };
  perInstance: InstanceFigures[];
  /** With several instances: sent → first offer written (database time), p50/p99 ms, of the window's orders ready at once sent to their agency's owner and to another instance. */
  landing: { atOwner: { orders: number; toOffer: [number, number] }; elsewhere: { orders: number; toOffer: [number, number] } };
  locationsPerSecond: number;
  locationsSentPerSecond: number;
  locationsRefused: number;
  acceptFailed: number;
  completed: number;
  /** Of every instance: the sum idle and connected, the largest peak. */
  rssIdleMb: number;
  rssConnectedMb: number;
  rssPeakMb: number;
  /** Events in dispatch's outbox not yet published as the window ends, and how long the oldest has waited. */
  eventsWaiting: number;
  oldestEventSeconds: number;
  /** Where an order's time went, p50 / p99 ms, from the database's own timestamps (see `stagesOf`). */
  stages: Stages;
  /**
   * CPU over the measured window, % of one core per process (dispatch: every instance's together; Redis: the whole
   * server's, NaN when the level does not use it), and how busy the whole machine was (%).
   */
  cpu: { dispatch: number; fee: number; postgres: number; bench: number; redis: number; machine: number };
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

/** CPU time (ms) of each process so far, read at one moment. */
interface CpuReading {
  dispatch: number[];
  fee: number;
  postgres: number;
  bench: number;
  redis: number;
  machine: { busy: number; total: number };
  at: number;
}

/** Each process's share of one core between two readings (and each dispatch instance's), and the machine's busy share of all its cores. */
function cpuShares(start: CpuReading | undefined, end: CpuReading | undefined): LevelResult['cpu'] & { instances: number[] } {
  if (!start || !end) return { dispatch: NaN, fee: NaN, postgres: NaN, bench: NaN, redis: NaN, machine: NaN, instances: [] };
  const share = (from: number, to: number) => (100 * (to - from)) / (end.at - start.at);
  const instances = start.dispatch.map((from, i) => share(from, end.dispatch[i]!));
  return {
    dispatch: instances.reduce((sum, c) => sum + c, 0),
    instances,
    fee: share(start.fee, end.fee),
    postgres: share(start.postgres, end.postgres),
    bench: share(start.bench, end.bench),
    redis: share(start.redis, end.redis),
    machine: (100 * (end.machine.busy - start.machine.busy)) / (end.machine.total - start.machine.total),
  };
}

/** CPU time (ms) the Redis server has used so far (its INFO: user and system, every thread), NaN without one. */
async function redisCpuMs(redis: Redis | undefined): Promise<number> {
  if (!redis) return NaN;
  const info = await redis.info('cpu');
  const seconds = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1000;
}

/** p50 and p99 of `values` (sorted in place). */
function spread(values: number[]): [number, number] {
  values.sort((a, b) => a - b);
  return [percentile(values, 50), percentile(values, 99)];
}

const stageText = ([p50, p99]: [number, number]) => `${fmt(p50)}/${fmt(p99)}`;

/** The planning round histogram on dispatch's /metrics: cumulative counts by upper bound (seconds). */
type RoundTimes = Array<{ le: number; count: number }>;

/** What the bench reads of the instances' /metrics: the planning rounds' histogram of all of them together (bucket by bucket), and the rider positions each has taken so far. */
interface DispatchReading {
  rounds: RoundTimes;
  positions: number[];
}

async function readDispatch(ports: number[]): Promise<DispatchReading> {
  const each = await Promise.all(
    ports.map(async (port) => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const rounds = [...text.matchAll(/^baecha_dispatch_planning_round_duration_seconds_bucket\{le="([^"]+)"[^}]*\} (\d+)/gm)].map(([, le, count]) => ({
        le: le === '+Inf' ? Infinity : Number(le),
        count: Number(count),
      }));
      return { rounds, positions: Number(/^baecha_dispatch_rider_positions_total(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? NaN) };
    }),
  );
  return {
    rounds: each[0]!.rounds.map((bucket, i) => ({ le: bucket.le, count: each.reduce((sum, reading) => sum + (reading.rounds[i]?.count ?? 0), 0) })),
    positions: each.map((reading) => reading.positions),
  };
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

async function stagesOf(admin: pg.Client, agencyIds: string[], windowStart: number, windowEnd: number): Promise<Omit<Stages, 'toRider'>> {
  const { rows } = await admin.query<{ sent: number; created: number; quoted: number | null; offered: number | null; fee_priced: number | null; fee_stored: number | null; held: boolean }>(
    `SELECT split_part(d.restaurant_name, ' ', 2)::float8 AS sent,
            extract(epoch FROM d.created_at) * 1000 AS created,
            extract(epoch FROM d.quoted_at) * 1000 AS quoted,
            (SELECT extract(epoch FROM min(o.created_at)) * 1000 FROM dispatch.offers o WHERE o.delivery_id = d.id) AS offered,
            extract(epoch FROM (d.fee->>'pricedAt')::timestamptz) * 1000 AS fee_priced,
            (SELECT extract(epoch FROM q.created_at) * 1000 FROM fee.quotes q WHERE q.id = (d.fee->>'quoteId')::uuid) AS fee_stored,
            d.restaurant_name LIKE '% ready %' AS held
       FROM dispatch.deliveries d
      WHERE d.agency_id = ANY($1::uuid[]) AND d.restaurant_name LIKE 'bench %'`,
    [agencyIds],
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

/** How a level's dispatch instances share Redis (DISPATCH_CLUSTER=redis): its URL, the run's key prefix, and a client for its CPU. */
interface ClusterEngine {
  url: string;
  prefix: string;
  client: Redis;
}

/**
 * Sent → first offer written (the offer's `created_at`), p50/p99 ms, of the orders in `sentTo` (order id → the
 * instance it was sent to), apart for those sent to the instance that owned their agency (`owned`, by instance)
 * and those sent to another, which leaves the offer to the owner's next round.
 */
async function landingOf(admin: pg.Client, sentTo: Map<string, number>, owned: string[][]): Promise<LevelResult['landing']> {
  const { rows } = await admin.query<{ order_id: string; agency_id: string; ms: number | null }>(
    `SELECT d.order_id, d.agency_id,
            (SELECT extract(epoch FROM min(o.created_at)) * 1000 FROM dispatch.offers o WHERE o.delivery_id = d.id) - split_part(d.restaurant_name, ' ', 2)::float8 AS ms
       FROM dispatch.deliveries d WHERE d.order_id = ANY($1::uuid[])`,
    [[...sentTo.keys()]],
  );
  const atOwner: number[] = [];
  const elsewhere: number[] = [];
  for (const row of rows) {
    if (row.ms === null) continue;
    (owned[sentTo.get(row.order_id)!]?.includes(row.agency_id) ? atOwner : elsewhere).push(Number(row.ms));
  }
  return { atOwner: { orders: atOwner.length, toOffer: spread(atOwner) }, elsewhere: { orders: elsewhere.length, toOffer: spread(elsewhere) } };
}

/** The agencies among `agencyIds` whose live lease each instance (by its pid) holds; a holder is `host:pid:random`. */
async function leasesByInstance(admin: pg.Client, agencyIds: string[], pids: number[]): Promise<string[][]> {
  const { rows } = await admin.query<{ holder: string; agencies: string[] }>(
    `SELECT holder, array_agg(agency_id::text ORDER BY agency_id) AS agencies FROM dispatch.agency_leases
      WHERE agency_id = ANY($1::uuid[]) AND expires_at > now() GROUP BY holder`,
    [agencyIds],
  );
  return pids.map((pid) => rows.find((row) => row.holder.split(':').at(-2) === String(pid))?.agencies ?? []);
}

/**
 * Waits (up to 30 s) until every agency is leased and shared out as the instances' beats share them (each holds
 * at least its floor share), and returns each instance's agencies.
 */
async function sharedLeases(admin: pg.Client, agencyIds: string[], pids: number[]): Promise<string[][]> {
  const floor = Math.floor(agencyIds.length / pids.length);
  let byInstance: string[][] = [];
  for (let i = 0; i < 300; i++) {
    byInstance = await leasesByInstance(admin, agencyIds, pids);
    const leased = byInstance.reduce((sum, agencies) => sum + agencies.length, 0);
    if (leased === agencyIds.length && byInstance.every((agencies) => agencies.length >= floor)) return byInstance;
    await sleep(100);
  }
  console.log(`  the leases were not shared out within 30 s: ${byInstance.map((agencies) => agencies.length).join(' / ')} of ${agencyIds.length} agencies`);
  return byInstance;
}

async function runLevel(options: {
  riders: number;
  index: string;
  /** Dispatch instances, and the engine they share when more than one (or when BENCH_DISPATCH_CLUSTER=redis). */
  instances: number;
  cluster?: ClusterEngine;
  agencies: number;
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
  // An empty dispatch schema: the level's agencies are the only ones whose leases the instances share.
  await admin.query('TRUNCATE dispatch.agencies CASCADE');
  // Fresh agencies per level: their riders, and their deliveries, are the level's alone.
  const agencyIds: string[] = [];
  for (let a = 0; a < options.agencies; a++) {
    const name = `벤치마크 대행 ${count} ${options.index}${options.agencies > 1 ? ` ${a + 1}` : ''}`;
    agencyIds.push((await provisionAgency(options.provisioning.dispatch, { name })).agencyId);
  }
  const random = rng(count);
  const riders = Array.from({ length: count }, (_, i) => ({ id: randomUUID(), name: `라이더 ${i + 1}`, token: newSecret('rt_'), start: inSeoul(random) }));
  const t0 = performance.now();
  await admin.query(
    `INSERT INTO dispatch.riders (id, agency_id, name, token_hash, capacity)
     SELECT id, agency_id, name, token_hash, 3 FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) AS r(id, agency_id, name, token_hash)`,
    [riders.map((r) => r.id), riders.map((_, i) => agencyIds[i % agencyIds.length]), riders.map((r) => r.name), riders.map((r) => r.token.hash)],
  );
  console.log(`  ${count} riders of ${agencyIds.length} agenc${agencyIds.length > 1 ? 'ies' : 'y'} provisioned in ${((performance.now() - t0) / 1000).toFixed(2)} s (one INSERT)`);

  // The first instance on the configured ports, the others on free ones.
  const ports = [{ http: config.httpPorts.dispatch, rpc: config.rpcPorts.dispatch }];
  for (let i = 1; i < options.instances; i++) {
    const [http, rpc] = await freePorts(2);
    ports.push({ http: http!, rpc: rpc! });
  }
  const clusterEnv: Record<string, string> = options.cluster
    ? { DISPATCH_CLUSTER: 'redis', REDIS_URL: options.cluster.url, REDIS_KEY_PREFIX: options.cluster.prefix }
    : {};
  const processes: ChildProcess[] = [];
  try {
    for (const port of ports) {
      const env = serviceEnv(config, options.databaseUrl, { DISPATCH_RIDER_INDEX: options.index, DISPATCH_PORT: String(port.http), DISPATCH_RPC_PORT: String(port.rpc), ...clusterEnv });
      processes.push(await startProcess('dispatch', port.http, env));
    }
    const pids = processes.map((child) => child.pid!);
    const leases = await sharedLeases(admin, agencyIds, pids);
    if (options.instances > 1) console.log(`  leases: ${leases.map((agencies, i) => `instance ${i + 1} (pid ${pids[i]}) ${agencies.length} agencies`).join(', ')}`);
    await sleep(1000);
    const rssIdleMb = pids.map(rssMb);
    // Each thread's riders connect to one instance, the threads spread evenly over them.
    const workers = Array.from({ length: options.workers }, (_, w) => {
      const url = `http://127.0.0.1:${ports[w % ports.length]!.http}/riders`;
      const mine = riders.filter((_, i) => i % options.workers === w).map((r) => ({ token: r.token.secret, start: r.start }));
      return new Worker(fileURLToPath(import.meta.url), { workerData: { mode: 'riders', url, offerTimeoutSeconds: config.dispatch.offerTimeoutSeconds, riders: mine, seed: count + w } satisfies RiderJob });
    });
    const instanceOf = (w: number) => w % ports.length;
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
    const connectedTo = ports.map(() => 0);
    let firstError: string | undefined;
    connectedReplies.forEach((reply, w) => {
      if (reply.type !== 'connected') return;
      connected += reply.connected;
      connectedTo[instanceOf(w)]! += reply.connected;
      connectFailed += reply.failed;
      firstError ??= reply.firstError;
    });
    const deadCount = Math.min(count, Number(process.env.BENCH_DEAD_SOCKETS ?? 100));
    const dead = await DeadConnections.connect(config.httpPorts.dispatch, riders.slice(0, deadCount).map((r) => r.token.secret));
    const rssConnectedMb = pids.map(rssMb);
    const rssText = (values: number[]) => values.map((mb) => fmt(mb)).join(' + ');
    console.log(
      `  ${connected} riders connected in ${connectSeconds.toFixed(1)} s${connectFailed ? `, ${connectFailed} failed (${firstError})` : ''}; ` +
        `dispatch RSS ${rssText(rssIdleMb)} MB idle, ${rssText(rssConnectedMb)} MB connected`,
    );

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
    const cpuNow = async (): Promise<CpuReading> => {
      const reading = {
        dispatch: pids.map(processCpuMs),
        fee: processCpuMs(options.feePid),
        postgres: postgresCpuMs(options.postgresDir),
        bench: (({ user, system }) => (user + system) / 1000)(process.cpuUsage()),
        machine: machineCpuMs(),
        at: epochMs(),
      };
      return { ...reading, redis: await redisCpuMs(options.cluster?.client) };
    };
    let cpuAtStart: Promise<CpuReading> | undefined;
    let cpuAtEnd: Promise<CpuReading> | undefined;
    let leasesAtStart: Promise<string[][]> | undefined;
    setTimeout(() => {
      cpuAtStart = cpuNow();
      leasesAtStart = leasesByInstance(admin, agencyIds, pids);
    }, windowStart - epochMs());
    setTimeout(() => (cpuAtEnd = cpuNow()), windowEnd - epochMs());
    setTimeout(() => dead.silence(), windowStart + (options.seconds * 1000) / 4 - epochMs());
    for (const worker of workers) worker.postMessage({ type: 'start', windowStart, windowEnd } satisfies ToRiders);

    // Orders at a steady rate, as order-intake's relay sends them: round-robin over the instances, as RabbitMQ
    // spreads a shared queue over its consumers, each for an agency drawn at random.
    const publishers = ports.map((port) => ClientProxyFactory.create(clientOptions({ ...config, rpcPorts: { ...config.rpcPorts, dispatch: port.rpc } }, 'dispatch')));
    await Promise.all(publishers.map((publisher) => publisher.connect()));
    const orderRandom = rng(count * 31);
    const agencyRandom = rng(count * 37);
    let ordersSent = 0;
    let ordersInWindow = 0;
    let readyAtOnceBeforeEnd = 0;
    const sentTo = new Map<string, number>();
    let heldInWindow = 0;
    let lastHeldReady = 0;
    const httpPorts = ports.map((port) => port.http);
    let readingAtStart: Promise<DispatchReading> | undefined;
    setTimeout(() => (readingAtStart = readDispatch(httpPorts)), windowStart - epochMs());
    let publishFailed = 0;
    const rssPeakMb = [...rssConnectedMb];
    const samplePeaks = () => pids.forEach((pid, i) => (rssPeakMb[i] = Math.max(rssPeakMb[i]!, rssMb(pid))));
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
        agencyId: agencyIds.length === 1 ? agencyIds[0]! : agencyIds[Math.floor(agencyRandom() * agencyIds.length)]!,
        restaurantId: randomUUID(),
        // The offer repeats the restaurant's name: the rider's thread reads the send time back from it.
        restaurantName: `bench ${sentAt.toFixed(3)}${readyAt === undefined ? '' : ` ready ${readyAt}`}`,
        readyAt: new Date(readyAt ?? sentAt).toISOString(),
        externalOrderId: `bench-${randomUUID()}`,
        pickup: { ...pickup, address: '서울특별시 중구 세종대로 110' },
        dropoff: { ...dropoff, address: '서울특별시 종로구 세종대로 172', detail: '3층' },
        orderAmount: 18000,
      } as OrderCreatedEvent;
      const landing = ordersSent % publishers.length;
      ordersSent++;
      if (sentAt < windowEnd && readyAt === undefined) readyAtOnceBeforeEnd++;
      if (sentAt >= windowStart && sentAt < windowEnd && readyAt === undefined) {
        ordersInWindow++;
        sentTo.set(event.orderId, landing);
      }
      if (sentAt >= windowStart && sentAt < windowEnd && readyAt !== undefined) {
        heldInWindow++;
        lastHeldReady = Math.max(lastHeldReady, readyAt);
      }
      lastValueFrom(publishers[landing]!.send(PATTERNS.ORDER_CREATED, event)).catch((error: unknown) => {
        publishFailed++;
        firstError ??= `order.created: ${(error as Error)?.message ?? JSON.stringify(error)}`;
      });
    };
    const sendStarted = epochMs();
    const drainUntil = windowEnd + 5000;
    while (epochMs() < windowEnd) {
      const due = Math.floor(((epochMs() - sendStarted) / 1000) * options.ordersPerSecond);
      while (ordersSent < due) sendOrder();
      samplePeaks();
      await sleep(10);
    }
    const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
    const readingAtEnd = readDispatch(httpPorts);
    await sleep(20);
    const cpu = cpuShares(await cpuAtStart, await cpuAtEnd);
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
      samplePeaks();
      await sleep(100);
    }
    await Promise.all(publishers.map((publisher) => publisher.close()));
    const stages = await stagesOf(admin, agencyIds, windowStart, windowEnd);
    const links = { ...(await seenFigures(admin, agencyIds, windowStart, windowEnd)), ...(await dead.comeBack(30_000)) };
    const owned = (await leasesAtStart) ?? pids.map(() => []);

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
    const sum = { offersInWindow: 0, receivedInWindow: 0, receivedBeforeEnd: 0, locationsSent: 0, locationsRefused: 0, acceptFailed: 0, completed: 0 };
    // Positions absorbed per second, as each instance counted them.
    const [first, last] = [await readingAtStart!, await readingAtEnd];
    const absorbed = last.positions.map((count, i) => (count - first.positions[i]!) / options.seconds);
    const perInstance = ports.map((port, i): InstanceFigures => ({
      port: port.http,
      pid: pids[i]!,
      riders: connectedTo[i]!,
      positionsPerSecond: absorbed[i]!,
      offersReceived: 0,
      leases: owned[i]!,
      cpu: cpu.instances[i] ?? NaN,
      rssIdleMb: rssIdleMb[i]!,
      rssConnectedMb: rssConnectedMb[i]!,
      rssPeakMb: rssPeakMb[i]!,
    }));
    tallies.forEach((tally, w) => {
      if (!tally) return;
      for (const l of tally.latenciesMs) latencies.push(l);
      for (const l of tally.toRiderMs) toRider.push(l);
      for (const l of tally.heldLatenciesMs) heldLatencies.push(l);
      for (const l of tally.heldLeadMs) heldLead.push(l);
      for (const key of Object.keys(sum) as Array<keyof typeof sum>) sum[key] += tally[key];
      perInstance[instanceOf(w)]!.offersReceived += tally.receivedInWindow;
      firstError ??= tally.firstError;
    });
    latencies.sort((a, b) => a - b);
    if (publishFailed) firstError = `${publishFailed} order.created failed: ${firstError}`;
    const total = (values: number[]) => values.reduce((s, v) => s + v, 0);
    return {
      riders: count,
      index: options.index,
      instances: options.instances,
      agencies: agencyIds.length,
      ordersPerSecond: options.ordersPerSecond,
      connected,
      connectSeconds,
      ordersSent,
      ordersInWindow,
      offersInWindow: sum.offersInWindow,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      held: { sent: heldInWindow, offered: heldLatencies.length, toOffer: spread(heldLatencies), lead: spread(heldLead) },
      rounds: roundsBetween(first.rounds, last.rounds),
      offersPerSecond: sum.offersInWindow / options.seconds,
      throughput: {
        offersPerSecond: sum.receivedInWindow / options.seconds,
        backlog: readyAtOnceBeforeEnd - sum.receivedBeforeEnd,
        readyAtOncePerSecond: ordersInWindow / options.seconds,
      },
      perInstance,
      landing: await landingOf(admin, sentTo, owned),
      locationsPerSecond: total(absorbed),
      locationsSentPerSecond: sum.locationsSent / options.seconds,
      locationsRefused: sum.locationsRefused,
      acceptFailed: sum.acceptFailed,
      completed: sum.completed,
      rssIdleMb: total(rssIdleMb),
      rssConnectedMb: total(rssConnectedMb),
      rssPeakMb: Math.max(...rssPeakMb),
      eventsWaiting: backlog?.waiting ?? 0,
      oldestEventSeconds: backlog?.oldest ?? 0,
      stages: { ...stages, toRider: spread(toRider) },
      cpu,
      load,
      links,
      firstError,
    };
  } finally {
    await Promise.all(processes.map(stopProcess));
  }
}

/** `socketsOnly` (BENCH_MODE=sockets): riders connect and report positions, no orders; for dispatch's RSS per connection. */
async function servicePart(socketsOnly = false): Promise<string[]> {
  const levels = (process.env.BENCH_RIDERS ?? '1000,10000').split(',').map(Number);
  const indexes = (process.env.BENCH_INDEXES ?? (socketsOnly ? 'grid' : 'grid,linear')).split(',');
  const rates = socketsOnly ? [0] : (process.env.BENCH_ORDERS_PER_SECOND ?? '100').split(',').map(Number);
  const instanceCounts = (process.env.BENCH_DISPATCH_INSTANCES ?? '1').split(',').map(Number);
  if (!instanceCounts.every((n) => Number.isInteger(n) && n >= 1)) throw new Error(`BENCH_DISPATCH_INSTANCES: ${process.env.BENCH_DISPATCH_INSTANCES} is not a list of counts of at least 1`);
  const agencies = Number(process.env.BENCH_AGENCIES ?? (instanceCounts.every((n) => n === 1) ? 1 : 4));
  if (!Number.isInteger(agencies) || agencies < 1) throw new Error(`BENCH_AGENCIES: ${process.env.BENCH_AGENCIES} is not a count of at least 1`);
  const clustered = (instances: number) => instances > 1 || process.env.BENCH_DISPATCH_CLUSTER === 'redis';
  const redisUrl = process.env.REDIS_URL;
  if (instanceCounts.some(clustered) && !redisUrl) throw new Error('REDIS_URL: several dispatch instances share riders through Redis; set it (e.g. redis://127.0.0.1:6379)');
  const seconds = Number(process.env.BENCH_SECONDS ?? (socketsOnly ? 1 : 20));
  const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? (socketsOnly ? 0 : 10));
  const [from, to] = (process.env.BENCH_READY_LATER_SECONDS ?? '60-120').split('-').map(Number) as [number, number];
  const readyLater = { share: Number(process.env.BENCH_READY_LATER_SHARE ?? 0.3), from, to };
  const dataDir = await mkdtemp(path.join(tmpdir(), 'baecha-bench-'));
  console.log(
    `\npart 2: embedded PostgreSQL in ${dataDir}; riders ${levels.join(', ')} × index ${indexes.join(', ')} × dispatch instances ${instanceCounts.join(', ')} × ` +
      `${rates.join(', ')} orders/s; ${agencies} agenc${agencies > 1 ? 'ies' : 'y'}; ${seconds} s measured after ${warmupSeconds} s of warm-up`,
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
  // One key prefix for the run's instances, its keys deleted at the end.
  const engine = instanceCounts.some(clustered) ? { url: redisUrl!, prefix: `bench-${randomBytes(4).toString('hex')}:`, client: new Redis(redisUrl!) } : undefined;
  const results: LevelResult[] = [];
  try {
    for (const riders of levels) {
      for (const index of indexes) {
        for (const instances of instanceCounts) {
          for (const ordersPerSecond of rates) {
            // Every instance gets as many rider threads as any other.
            const threads = Number(process.env.BENCH_WORKERS ?? Math.min(4, Math.max(2, Math.ceil(riders / 2500))));
            const workers = Math.ceil(threads / instances) * instances;
            const cluster = clustered(instances) ? engine : undefined;
            console.log(
              `level: ${riders} riders, DISPATCH_RIDER_INDEX=${index}, ${instances} dispatch instance${instances > 1 ? 's' : ''}${cluster ? ' (DISPATCH_CLUSTER=redis)' : ''}, ` +
                `${agencies} agenc${agencies > 1 ? 'ies' : 'y'}, ${ordersPerSecond} orders/s, ${workers} rider threads`,
            );
            const r = await runLevel({
              riders,
              index,
              instances,
              cluster,
              agencies,
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
            for (const line of levelText(r)) console.log(`  ${line}`);
            results.push(r);
          }
        }
      }
    }
  } finally {
    await stopProcess(fee);
    if (engine) {
      engine.client.disconnect();
      await deleteRedisKeys(engine.url, engine.prefix);
    }
    if (intake) await new Promise((resolve) => intake.close(resolve));
    await admin.end();
    await provisioning.close();
    await db.stop();
    await rm(dataDir, { recursive: true, force: true });
  }

  // With several instance counts or rates, the index column says which level a row is.
  const label = (r: LevelResult) =>
    `${r.index}${instanceCounts.length > 1 || r.instances > 1 ? `, ${r.instances} dispatch` : ''}${rates.length > 1 ? `, ${r.ordersPerSecond}/s` : ''}`;
  const rss = (r: LevelResult) => (['rssIdleMb', 'rssConnectedMb', 'rssPeakMb'] as const).map((key) => r.perInstance.map((i) => fmt(i[key])).join(' + ')).join(' / ');
  const rows = [
    '| riders | index | connected | order→offer p50 ms | p99 ms | offers/s | orders in window | held: offered of sent, order→offer p50/p99 s, offer before ready p50/p99 s | planning rounds: count, p50 / p99 ms | positions/s absorbed (sent) | dispatch RSS idle / connected / peak MB | events waiting at window end (oldest s) | stages p50/p99 ms: → delivery, → quote (→ fee pricing, → fee insert, → dispatch), → offer, → rider | CPU % of a core: dispatch, fee, PostgreSQL, bench; machine busy % | load average | failed |',
    '|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|',
    ...results.map(
      (r) =>
        `| ${fmt(r.riders)} | ${label(r)} | ${fmt(r.connected)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${fmt(r.offersPerSecond, 1)} | ${fmt(r.ordersInWindow)} | ` +
        `${r.held.offered} of ${r.held.sent}, ${fmt(r.held.toOffer[0] / 1000, 1)}/${fmt(r.held.toOffer[1] / 1000, 1)}, ${fmt(r.held.lead[0] / 1000, 1)}/${fmt(r.held.lead[1] / 1000, 1)} | ` +
        `${fmt(r.rounds.count)}, ${fmt(r.rounds.p50, 1)} / ${fmt(r.rounds.p99, 1)} | ` +
        `${fmt(r.locationsPerSecond)} (${fmt(r.locationsSentPerSecond)}) | ${rss(r)} | ` +
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
      (r) =>
        `| ${fmt(r.riders)} | ${label(r)} | ${linkCells(r.links)} |`,
    ),
    '',
    '| riders | index | agencies | orders/s sent | order→offer p50 / p99 ms | throughput: offers/s reaching riders (ready at once sent /s) | backlog at window end | positions/s absorbed | per instance: riders, leases, CPU % of a core, RSS peak MB | dispatch CPU % of a core (all instances) | Redis CPU % | per dispatch CPU-second: positions, offers | riders per dispatch core | riders per core, dispatch + fee + PostgreSQL + Redis |',
    '|--:|---|--:|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|',
    ...results.map((r) => {
      const cost = costOf(r);
      return (
        `| ${fmt(r.riders)} | ${label(r)} | ${r.agencies} | ${r.ordersPerSecond} | ${fmt(r.p50, 1)} / ${fmt(r.p99, 1)} | ${fmt(r.throughput.offersPerSecond, 1)} (${fmt(r.throughput.readyAtOncePerSecond, 1)}) | ` +
        `${fmt(r.throughput.backlog)} | ${fmt(r.locationsPerSecond)} | ${r.perInstance.map((i) => `${fmt(i.riders)}, ${i.leases.length}, ${fmt(i.cpu)}, ${fmt(i.rssPeakMb)}`).join('; ')} | ` +
        `${fmt(r.cpu.dispatch)} | ${fmt(r.cpu.redis)} | ${fmt(cost.positionsPerCpuSecond)}, ${fmt(cost.offersPerCpuSecond, 1)} | ${fmt(cost.ridersPerDispatchCore)} | ${fmt(cost.ridersPerStackCore)} |`
      );
    }),
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
  // It is one instance's goal, at the run's first rate.
  for (const r of results.filter((r) => r.riders === 10_000 && r.instances === 1 && r.ordersPerSecond === rates[0])) {
    const met = r.p99 < 200 && r.rssPeakMb < 500 && r.offersInWindow >= 0.99 * r.ordersInWindow && r.ordersPerSecond >= 100;
    rows.push(
      `\n${met ? 'PASS' : 'FAIL'} (${r.index}): 10,000 riders at ${r.ordersPerSecond} orders/s: p99 ${fmt(r.p99, 1)} ms (goal < 200), ` +
        `peak RSS ${fmt(r.rssPeakMb)} MB (goal < 500), ${r.offersInWindow} of ${r.ordersInWindow} orders ready at once offered`,
    );
  }
  rows.push(...throughputGoal(results, rates));
  return rows;
}

/** What a level prints as it ends. */
function levelText(r: LevelResult): string[] {
  return [
    `order→offer p50 ${fmt(r.p50, 1)} ms, p99 ${fmt(r.p99, 1)} ms; ${fmt(r.offersPerSecond, 1)} offers/s (${r.offersInWindow} of ${r.ordersInWindow} orders sent in the window); ` +
      `${fmt(r.locationsPerSecond)} positions/s absorbed of ${fmt(r.locationsSentPerSecond)} sent; dispatch RSS peak ${fmt(r.rssPeakMb)} MB; ` +
      `${fmt(r.eventsWaiting)} events waiting in dispatch's outbox as the window ended (oldest ${fmt(r.oldestEventSeconds, 1)} s); ` +
      `${r.completed} delivered, ${r.acceptFailed} accept/pickup/deliver failed${r.locationsRefused ? `, ${r.locationsRefused} positions refused` : ''}` +
      `${r.firstError ? ` (first error: ${r.firstError})` : ''}`,
    `held for their ready time: ${r.held.offered} of ${r.held.sent} offered, order→offer p50/p99 ${fmt(r.held.toOffer[0] / 1000, 1)}/${fmt(r.held.toOffer[1] / 1000, 1)} s, ` +
      `offer before the food was ready p50/p99 ${fmt(r.held.lead[0] / 1000, 1)}/${fmt(r.held.lead[1] / 1000, 1)} s; ` +
      `planning rounds in the window ${r.rounds.count}, p50 ${fmt(r.rounds.p50, 1)} ms, p99 ${fmt(r.rounds.p99, 1)} ms`,
    `stages p50/p99 ms: sent → delivery ${stageText(r.stages.toDelivery)}, → quote ${stageText(r.stages.toQuote)} ` +
      `(→ fee pricing ${stageText(r.stages.toFeePricing)}, → fee's insert ${stageText(r.stages.toFeeInsert)}, → dispatch's transaction ${stageText(r.stages.backToDispatch)}), ` +
      `→ offer ${stageText(r.stages.toOffer)}, → rider ${stageText(r.stages.toRider)}`,
    `CPU in the window, % of one core: dispatch ${fmt(r.cpu.dispatch)}, fee ${fmt(r.cpu.fee)}, PostgreSQL ${fmt(r.cpu.postgres)}, this bench (riders, orders) ${fmt(r.cpu.bench)}` +
      `${Number.isNaN(r.cpu.redis) ? '' : `, Redis (the whole server) ${fmt(r.cpu.redis)}`}; ` +
      `the machine's ${os.cpus().length} cores ${fmt(r.cpu.machine)} % busy; load average ${r.load}`,
    linkText(r.links),
    instancesText(r),
    throughputText(r),
    costText(r),
  ];
}

/**
 * The goal of several instances: two (or more) lose at most 25 % of one instance's order → offer throughput, at
 * each riders level and index measured with both. A configuration's throughput is its best offers/s over the rates.
 */
function throughputGoal(results: LevelResult[], rates: number[]): string[] {
  const lines: string[] = [];
  const single = results.filter((r) => r.instances === 1);
  for (const one of new Set(single.map((r) => `${r.riders} ${r.index}`))) {
    const same = (r: LevelResult) => `${r.riders} ${r.index}` === one;
    const best = (levels: LevelResult[]) => levels.reduce((a, b) => (b.throughput.offersPerSecond > a.throughput.offersPerSecond ? b : a));
    const base = best(single.filter(same));
    for (const n of new Set(results.filter((r) => same(r) && r.instances > 1).map((r) => r.instances))) {
      const levels = results.filter((r) => same(r) && r.instances === n);
      const several = best(levels);
      const lost = 1 - several.throughput.offersPerSecond / base.throughput.offersPerSecond;
      // Kept up: by the window's end no more than two seconds' worth of orders ready at once waited for an offer.
      const keptUp = (r: LevelResult) => r.throughput.backlog <= 2 * r.throughput.readyAtOncePerSecond;
      const highest = Math.max(...rates);
      const atHighest = [base, several].every((r) => r.ordersPerSecond === highest && keptUp(r));
      lines.push(
        `\n${lost <= 0.25 ? 'PASS' : 'FAIL'} (${base.index}): ${fmt(base.riders)} riders, ${n} dispatch instances: ${fmt(several.throughput.offersPerSecond, 1)} offers/s ` +
          `(at ${several.ordersPerSecond} orders/s sent, ${fmt(several.throughput.backlog)} waiting at the window's end), one instance ${fmt(base.throughput.offersPerSecond, 1)} ` +
          `(at ${base.ordersPerSecond} orders/s, ${fmt(base.throughput.backlog)} waiting): ${fmt(lost * 100, 1)} % lost (goal: at most 25 %). Throughput is the most offers/s, of orders ready ` +
          `at once, that reached riders in a ${rates.length > 1 ? 'level' : 'window'} at ${rates.join(', ')} orders/s sent` +
          (atHighest ? `; both kept up with ${highest} orders/s, so these are floors, not ceilings: add a higher rate to BENCH_ORDERS_PER_SECOND` : ''),
      );
    }
  }
  return lines;
}

/** What a note on riders per core needs: the level's work per CPU-second of dispatch (every instance), and riders per core. */
function costOf(r: LevelResult) {
  const dispatchCores = r.cpu.dispatch / 100;
  const stackCores = (r.cpu.dispatch + r.cpu.fee + r.cpu.postgres + (Number.isNaN(r.cpu.redis) ? 0 : r.cpu.redis)) / 100;
  return {
    positionsPerCpuSecond: r.locationsPerSecond / dispatchCores,
    offersPerCpuSecond: r.throughput.offersPerSecond / dispatchCores,
    ridersPerDispatchCore: r.connected / dispatchCores,
    ridersPerStackCore: r.connected / stackCores,
  };
}

function instancesText(r: LevelResult): string {
  const each = r.perInstance.map(
    (i, n) =>
      `${n + 1} (pid ${i.pid}, port ${i.port}): ${fmt(i.riders)} riders, ${fmt(i.positionsPerSecond)} positions/s absorbed, ${fmt(i.offersReceived)} offers reached its riders, ` +
      `leases of ${i.leases.length} of ${r.agencies} agencies${i.leases.length ? ` (${i.leases.map((id) => id.slice(0, 8)).join(' ')})` : ''}, ` +
      `CPU ${fmt(i.cpu)} % of a core, RSS idle / connected / peak ${fmt(i.rssIdleMb)} / ${fmt(i.rssConnectedMb)} / ${fmt(i.rssPeakMb)} MB`,
  );
  const { atOwner, elsewhere } = r.landing;
  const landing =
    r.instances > 1
      ? `; orders ready at once sent to their agency's owner: ${atOwner.orders}, sent → offer written p50/p99 ${stageText(atOwner.toOffer)} ms; ` +
        `to another instance (handed over to the owner through Redis): ${elsewhere.orders}, ${stageText(elsewhere.toOffer)} ms`
      : '';
  return `dispatch instance ${each.join('; ')}${landing}`;
}

function throughputText(r: LevelResult): string {
  const t = r.throughput;
  return (
    `throughput: ${fmt(t.offersPerSecond, 1)} offers/s of orders ready at once reached riders in the window (such orders sent: ${fmt(t.readyAtOncePerSecond, 1)}/s); ` +
    `${fmt(t.backlog)} of them sent by the window's end had no offer by then`
  );
}

function costText(r: LevelResult): string {
  const c = costOf(r);
  return (
    `cost: dispatch ${fmt(r.cpu.dispatch)} % of a core (${r.perInstance.map((i) => fmt(i.cpu)).join(' + ')})` +
    `${Number.isNaN(r.cpu.redis) ? '' : `, Redis ${fmt(r.cpu.redis)} %`}; per dispatch CPU-second ${fmt(c.positionsPerCpuSecond)} positions absorbed and ` +
    `${fmt(c.offersPerCpuSecond, 1)} offers; ${fmt(c.ridersPerDispatchCore)} riders per dispatch core, ${fmt(c.ridersPerStackCore)} per core of dispatch, fee, PostgreSQL` +
    `${Number.isNaN(r.cpu.redis) ? '' : ' and Redis'}, ` +
    `at ${r.ordersPerSecond} orders/s`
  );
}

function linkCells(l: LinkFigures): string {
  return (
    `${fmt(l.offers)} | ${fmt(l.seenWithin1s * 100, 1)} % | ${fmt(l.seenP50, 1)} / ${fmt(l.seenP99, 1)} | ${l.deadDetected} of ${l.dead} | ` +
    `${fmt(l.deadP50, 1)} / ${fmt(l.deadP99, 1)} / ${fmt(l.deadMax, 1)} | ${fmt(l.replayP50)} / ${fmt(l.replayP99)} / ${fmt(l.replayMax)} | ${l.rebuilds}`
  );
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
