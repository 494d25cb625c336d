import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern } from '@nestjs/microservices';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { loadConfig, type AppConfig } from '#config';
import { PATTERNS } from '#contracts';
import { freePorts, startEmbeddedPostgres } from '#database';
import { serverOptions } from '#messaging';
import { runMain, startService } from '#platform';
import { IntakeModule } from '../apps/order-intake/src/intake.module.js';
import { provisionRestaurant } from '../apps/order-intake/src/restaurants/restaurants.provisioning.js';
import { webhookHeaders } from '../apps/order-intake/src/webhooks/webhook-signature.js';
import { drive, driveInserts, fmt, inWorker, summarise, withPeakRss, type LevelResult } from './support.js';

/**
 * `npm run bench:intake`: how many orders per second order-intake accepts, against the ceiling of the same
 * machine and database: one single-row INSERT + COMMIT per order. Runs an embedded PostgreSQL in a temporary
 * directory and order-intake in this process with nothing turned off: its outbox relay publishes every
 * `order.created` to a stub dispatch (in its own thread) that takes it at once. Load comes from a worker thread,
 * so the client does not share the service's event loop.
 *
 * BENCH_SECONDS (default 10) per level, BENCH_LEVELS (default 1,8,32,64) concurrent clients.
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

const DROPOFF = { address: '서울특별시 종로구 세종대로 172 광화문빌딩', lng: 126.9769, lat: 37.5759, detail: '3층 302호' };
const ITEMS = [
  { name: '김치찌개', quantity: 2, unitPrice: 9000 },
  { name: '계란말이', quantity: 1, unitPrice: 7000 },
  { name: '공기밥', quantity: 2, unitPrice: 1000 },
];

/** A realistic order body (about 450 bytes), unique by its externalOrderId. */
function orderBody(): string {
  return JSON.stringify({
    externalOrderId: `bench-${randomUUID()}`,
    dropoff: DROPOFF,
    customer: { phone: '010-1234-5678' },
    items: ITEMS,
    orderAmount: 27000,
    note: '문 앞에 놓고 벨 눌러주세요. 수저는 빼주세요.',
  });
}

// ---------------------------------------------------------------------------------------------------------
// Load worker

async function runIntake(job: Job): Promise<LevelResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency });
  const target = new URL(job.url);
  const post = (body: string) =>
    new Promise<number>((resolve, reject) => {
      const request = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...webhookHeaders(job.secret!, body) },
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  const result = await drive(job, async () => {
    const status = await post(orderBody());
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
    () => [randomUUID(), restaurantId, `bench-${randomUUID()}`, 'f'.repeat(64), DROPOFF.address, DROPOFF.lng, DROPOFF.lat, DROPOFF.detail, '010-1234-5678', JSON.stringify(ITEMS), 27000, 'note'],
  );
}

// ---------------------------------------------------------------------------------------------------------
// Main thread: database, service, table

/** Stands in for dispatch: takes every `order.created` at once, so intake's relay publishes as in production. */
@Controller()
class StubDispatchHandler {
  @MessagePattern(PATTERNS.ORDER_CREATED)
  orderCreated(): { ok: true } {
    return { ok: true };
  }
}

@Module({ controllers: [StubDispatchHandler] })
class StubDispatchModule {}

/** Dispatch is another process in production, so its stub gets its own thread rather than the service's. */
async function startStubDispatch(config: AppConfig): Promise<Worker> {
  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { mode: 'dispatch', config } });
  await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return worker;
}

async function runStubDispatch(config: AppConfig): Promise<INestMicroservice> {
  const stub = await NestFactory.createMicroservice(StubDispatchModule, { ...serverOptions(config, 'dispatch'), logger: false });
  await stub.listen();
  return stub;
}

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
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const levels = (process.env.BENCH_LEVELS ?? '1,8,32,64').split(',').map(Number);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'baecha-bench-'));
  console.log(`embedded PostgreSQL in ${dataDir}; ${seconds} s per level after a 1 s warm-up; levels ${levels.join(', ')}`);
  const db = await startEmbeddedPostgres({ dataDir, database: 'bench' });
  const names = ['INTAKE_PORT', 'DISPATCH_PORT', 'FEE_PORT', 'INTAKE_RPC_PORT', 'DISPATCH_RPC_PORT', 'FEE_RPC_PORT'];
  const free = await freePorts(names.length);
  const ports = Object.fromEntries(names.map((name, i) => [name, String(free[i])]));
  // The service's own settings (pool size, outbox) may be tuned from the environment; ports and database are the bench's.
  const config = loadConfig({ ...process.env, DATABASE_URL: undefined, TRANSPORT: 'tcp', ...ports, LOG_LEVEL: process.env.LOG_LEVEL ?? 'error' });
  const dispatch = await startStubDispatch(config);
  const app = await startService({ service: 'intake', module: IntakeModule.forRoot(config, db.url), config, bodyParser: false });
  const restaurant = await provisionRestaurant(app.get(DataSource), {
    agencyId: randomUUID(),
    name: '벤치마크 식당',
    address: '서울특별시 중구 세종대로 110',
    lng: 126.978,
    lat: 37.5665,
  });
  const url = `http://127.0.0.1:${config.httpPorts.intake}/v1/restaurants/${restaurant.restaurantId}/orders`;
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
  await app.close();
  await dispatch.terminate();
  await db.stop();
  await rm(dataDir, { recursive: true, force: true });

  console.log(`\n${orders} orders accepted, ${published} order.created events published to the stub dispatch.`);
  console.log('Ceiling: BEGIN + one single-row INSERT of the same width + COMMIT per order, one connection per client.\n');
  console.log('HTTP floor: the same signed request answered 404 before any validation or query.\n');
  console.log('| clients | intake orders/s | p50 ms | p99 ms | peak RSS MB | outbox drained after s | HTTP floor req/s | ceiling inserts/s | p50 ms | p99 ms | intake/ceiling |');
  console.log('|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const row of rows) console.log(row);
}

if (isMainThread) {
  runMain(main);
} else {
  const job = workerData as Job | { mode: 'dispatch'; config: AppConfig };
  if (job.mode === 'dispatch') runStubDispatch(job.config).then(() => parentPort!.postMessage('ready'));
  else (job.mode === 'intake' ? runIntake(job) : runCeiling(job)).then((result) => parentPort!.postMessage(result));
}
