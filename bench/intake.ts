import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { runMain } from '#platform';
import { overloadMain } from './intake-overload.js';
import { slowClientsMain } from './intake-slow-clients.js';
import { CEILING_ROW, sendOrder, startIntakeStack } from './intake-stack.js';
import { drive, driveInserts, fmt, inWorker, summarise, withPeakRss, type LevelResult } from './support.js';

/**
 * `npm run bench:intake`: how many orders per second order-intake accepts, against the ceiling of the same
 * machine and database: one single-row INSERT + COMMIT per order. Runs an embedded PostgreSQL in a temporary
 * directory and order-intake in this process with nothing turned off: its outbox relay publishes every
 * `order.created` to a stub dispatch (in its own thread) that takes it at once. Load comes from a worker thread,
 * so the client does not share the service's event loop.
 *
 * BENCH_SECONDS (default 10) per level, BENCH_LEVELS (default 1,8,32,64) concurrent clients.
 *
 * BENCH_MODE=overload: intake at five times its capacity with load shedding and without (bench/intake-overload.ts);
 * BENCH_MODE=slow-clients: real orders while thousands of connections trickle their bodies (bench/intake-slow-clients.ts).
 */

interface Job {
  mode: 'intake' | 'ceiling';
  concurrency: number;
  seconds: number;
  url: string;
  secret?: string;
  /** The HTTP status every request must get (intake: 202). */
  expectStatus?: number;
}

// ---------------------------------------------------------------------------------------------------------
// Load worker

async function runIntake(job: Job): Promise<LevelResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency });
  const target = new URL(job.url);
  const post = () =>
    new Promise<number>((resolve, reject) => {
      const request = sendOrder(agent, target, job.secret!, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      });
      request.on('error', reject);
    });
  const result = await drive(job, async () => {
    const status = await post();
    if (status !== (job.expectStatus ?? 202)) throw new Error(`HTTP ${status}`);
  });
  agent.destroy();
  return result;
}

function runCeiling(job: Job): Promise<LevelResult> {
  const restaurantId = randomUUID();
  return driveInserts(
    job,
    `INSERT INTO bench.ceiling_orders (id, restaurant_id, external_order_id, request_hash, status, dropoff_address,
       dropoff_lng, dropoff_lat, dropoff_detail, customer_phone, items, order_amount, note)
     VALUES ($1, $2, $3, $4, 'received', $5, $6, $7, $8, $9, $10, $11, $12)`,
    () => {
      const { DROPOFF, ITEMS } = CEILING_ROW;
      return [randomUUID(), restaurantId, `bench-${randomUUID()}`, 'f'.repeat(64), DROPOFF.address, DROPOFF.lng, DROPOFF.lat, DROPOFF.detail, '010-1234-5678', JSON.stringify(ITEMS), 27000, 'note'];
    },
  );
}

// ---------------------------------------------------------------------------------------------------------
// Main thread: database, service, table

/** Seconds until every accepted order's event has left the outbox, i.e. the relay kept up (or caught up). */
async function drainSeconds(admin: pg.Client, timeoutSeconds = 120): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutSeconds * 1000) {
    const { rows } = await admin.query('SELECT count(*)::int AS n FROM intake.outbox WHERE published_at IS NULL');
    if (rows[0].n === 0) return (Date.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Infinity;
}

async function main(): Promise<void> {
  if (process.env.BENCH_MODE === 'overload') return overloadMain();
  if (process.env.BENCH_MODE === 'slow-clients') return slowClientsMain();
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const levels = (process.env.BENCH_LEVELS ?? '1,8,32,64').split(',').map(Number);
  console.log(`embedded PostgreSQL in a temporary directory; ${seconds} s per level after a 1 s warm-up; levels ${levels.join(', ')}`);
  const stack = await startIntakeStack();
  const { db, url } = stack;
  const restaurant = { restaurantId: stack.restaurantId, webhookSecret: stack.secret };
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  await admin.query('CREATE SCHEMA IF NOT EXISTS bench');
  await admin.query(`CREATE TABLE bench.ceiling_orders (
    id uuid PRIMARY KEY, restaurant_id uuid NOT NULL, external_order_id text NOT NULL, request_hash text NOT NULL,
    status text NOT NULL, dropoff_address text NOT NULL, dropoff_lng double precision, dropoff_lat double precision,
    dropoff_detail text, customer_phone text, items jsonb NOT NULL, order_amount integer NOT NULL, note text,
    created_at timestamptz NOT NULL DEFAULT now(), UNIQUE (restaurant_id, external_order_id))`);

  // Each level measures intake, lets its outbox drain, then the HTTP floor and the ceiling while intake is idle,
  // so the figures of a row come from the same minute of this machine. The floor is the same signed request to a
  // restaurant id that is not a UUID: the service reads the body and answers 404 before any validation or query,
  // which is what HTTP through Nest costs here, before a single row is written.
  const floorUrl = url.replace(restaurant.restaurantId, 'not-a-restaurant');
  const rows: string[] = [];
  for (const concurrency of levels) {
    const [intakeRun, rssMb] = await withPeakRss(() => inWorker<Job>(import.meta.url, { mode: 'intake', concurrency, seconds, url, secret: restaurant.webhookSecret }));
    const intake = summarise(intakeRun);
    const drained = await drainSeconds(admin);
    console.log(
      `intake   c=${concurrency}: ${fmt(intake.perSecond)} orders/s, p50 ${fmt(intake.p50, 1)} ms, p99 ${fmt(intake.p99, 1)} ms, ` +
        `peak RSS ${fmt(rssMb)} MB, outbox drained ${fmt(drained, 1)} s later${intake.failed ? `, ${intake.failed} failed (${intake.firstError})` : ''}`,
    );
    const floor = summarise(await inWorker<Job>(import.meta.url, { mode: 'intake', concurrency, seconds, url: floorUrl, secret: restaurant.webhookSecret, expectStatus: 404 }));
    console.log(`floor    c=${concurrency}: ${fmt(floor.perSecond)} requests/s, p50 ${fmt(floor.p50, 1)} ms, p99 ${fmt(floor.p99, 1)} ms`);
    const ceiling = summarise(await inWorker<Job>(import.meta.url, { mode: 'ceiling', concurrency, seconds, url: db.url }));
    console.log(
      `ceiling  c=${concurrency}: ${fmt(ceiling.perSecond)} inserts/s, p50 ${fmt(ceiling.p50, 1)} ms, p99 ${fmt(ceiling.p99, 1)} ms` +
        `${ceiling.failed ? `, ${ceiling.failed} failed (${ceiling.firstError})` : ''}`,
    );
    rows.push(
      `| ${concurrency} | ${fmt(intake.perSecond)} | ${fmt(intake.p50, 1)} | ${fmt(intake.p99, 1)} | ${fmt(rssMb)} | ${fmt(drained, 1)} | ` +
        `${fmt(floor.perSecond)} | ${fmt(ceiling.perSecond)} | ${fmt(ceiling.p50, 1)} | ${fmt(ceiling.p99, 1)} | ${fmt(intake.perSecond / ceiling.perSecond, 2)} |`,
    );
  }
  const [{ orders, published }] = (
    await admin.query('SELECT (SELECT count(*) FROM intake.orders)::int AS orders, (SELECT count(*) FROM intake.outbox WHERE published_at IS NOT NULL)::int AS published')
  ).rows;
  await admin.end();
  await stack.close();

  console.log(`\n${orders} orders accepted, ${published} order.created events published to the stub dispatch.`);
  console.log('Ceiling: BEGIN + one single-row INSERT of the same width + COMMIT per order, one connection per client.\n');
  console.log('HTTP floor: the same signed request answered 404 before any validation or query.\n');
  console.log('| clients | intake orders/s | p50 ms | p99 ms | peak RSS MB | outbox drained after s | HTTP floor req/s | ceiling inserts/s | p50 ms | p99 ms | intake/ceiling |');
  console.log('|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const row of rows) console.log(row);
}

if (isMainThread) {
  runMain(main);
} else if ((workerData as Job).mode === 'intake' || (workerData as Job).mode === 'ceiling') {
  const job = workerData as Job;
  (job.mode === 'intake' ? runIntake(job) : runCeiling(job)).then((result) => parentPort!.postMessage(result));
}
