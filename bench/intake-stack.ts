import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Controller, Module, type INestApplication, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern } from '@nestjs/microservices';
import { DataSource } from 'typeorm';
import { loadConfig, type AppConfig } from '#config';
import { PATTERNS } from '#contracts';
import { freePorts, startEmbeddedPostgres, type EmbeddedDatabase } from '#database';
import { serverOptions } from '#messaging';
import { startService } from '#platform';
import { IntakeModule } from '../apps/order-intake/src/intake.module.js';
import { provisionRestaurant } from '../apps/order-intake/src/restaurants/restaurants.provisioning.js';
import { webhookHeaders } from '../apps/order-intake/src/webhooks/webhook-signature.js';

/**
 * What the order-intake benchmarks share: a realistic signed order, and order-intake running in this process on an
 * embedded PostgreSQL in a temporary directory with nothing turned off, its outbox relay publishing every
 * `order.created` to a stub dispatch in its own thread.
 */

const DROPOFF = { address: '서울특별시 종로구 세종대로 172 광화문빌딩', lng: 126.9769, lat: 37.5759, detail: '3층 302호' };
const ITEMS = [
  { name: '김치찌개', quantity: 2, unitPrice: 9000 },
  { name: '계란말이', quantity: 1, unitPrice: 7000 },
  { name: '공기밥', quantity: 2, unitPrice: 1000 },
];

/** The insert the ceiling runs per order: the same width as an order. */
export const CEILING_ROW = { DROPOFF, ITEMS };

/** A realistic order body (about 450 bytes), unique by its externalOrderId. */
export function orderBody(): string {
  return JSON.stringify({
    externalOrderId: `bench-${randomUUID()}`,
    dropoff: DROPOFF,
    customer: { phone: '010-1234-5678' },
    items: ITEMS,
    orderAmount: 27000,
    note: '문 앞에 놓고 벨 눌러주세요. 수저는 빼주세요.',
  });
}

/** Sends a new signed order to `target` over `agent`; the caller listens for the request's errors. */
export function sendOrder(agent: http.Agent, target: URL, secret: string, onResponse: (response: http.IncomingMessage) => void, timeoutMs?: number): http.ClientRequest {
  const body = orderBody();
  const request = http.request(
    {
      agent,
      host: target.hostname,
      port: target.port,
      path: target.pathname,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...webhookHeaders(secret, body) },
      timeout: timeoutMs,
    },
    onResponse,
  );
  request.end(body);
  return request;
}

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
  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { role: 'stub-dispatch', config } });
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

export interface IntakeStack {
  db: EmbeddedDatabase;
  config: AppConfig;
  app: INestApplication;
  /** The restaurant's order webhook URL, and its secret. */
  url: string;
  secret: string;
  restaurantId: string;
  /** Closes intake and starts it again on the same database and ports with these settings over the environment's. */
  restart(env: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

/** Starts the stack; `env` overrides the environment for intake's own settings (limits, pool, outbox). */
export async function startIntakeStack(env: Record<string, string> = {}, settings?: Record<string, string>): Promise<IntakeStack> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'baecha-bench-'));
  const db = await startEmbeddedPostgres({ dataDir, database: 'bench', settings });
  const names = ['INTAKE_PORT', 'DISPATCH_PORT', 'FEE_PORT', 'INTAKE_RPC_PORT', 'DISPATCH_RPC_PORT', 'FEE_RPC_PORT'];
  const free = await freePorts(names.length);
  const ports = Object.fromEntries(names.map((name, i) => [name, String(free[i])]));
  // The service's own settings may be tuned from the environment; ports and database are the bench's.
  const configFor = (overrides: Record<string, string>) =>
    loadConfig({ ...process.env, DATABASE_URL: undefined, TRANSPORT: 'tcp', ...ports, LOG_LEVEL: process.env.LOG_LEVEL ?? 'error', ...overrides });
  let config = configFor(env);
  const dispatch = await startStubDispatch(config);
  const start = () => startService({ service: 'intake', module: IntakeModule.forRoot(config, db.url), config, bodyParser: false });
  let app = await start();
  const restaurant = await provisionRestaurant(app.get(DataSource), {
    agencyId: randomUUID(),
    name: '벤치마크 식당',
    address: '서울특별시 중구 세종대로 110',
    lng: 126.978,
    lat: 37.5665,
  });
  return {
    db,
    get config() {
      return config;
    },
    get app() {
      return app;
    },
    url: `http://127.0.0.1:${config.httpPorts.intake}/v1/restaurants/${restaurant.restaurantId}/orders`,
    secret: restaurant.webhookSecret,
    restaurantId: restaurant.restaurantId,
    restart: async (overrides) => {
      await app.close();
      config = configFor(overrides);
      app = await start();
    },
    close: async () => {
      await app.close();
      await dispatch.terminate();
      await db.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

if (!isMainThread && (workerData as { role?: string })?.role === 'stub-dispatch') {
  runStubDispatch((workerData as { config: AppConfig }).config).then(() => parentPort!.postMessage('ready'));
}
