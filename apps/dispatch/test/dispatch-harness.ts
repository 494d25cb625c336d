import type { INestApplication } from '@nestjs/common';
import { ClientProxyFactory, type ClientProxy } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { lastValueFrom } from 'rxjs';
import { io, type Socket } from 'socket.io-client';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { AppConfig } from '#config';
import { PATTERNS, type LngLat, type OrderCreatedEvent, type OrderTimingChangedEvent } from '#contracts';
import { clientOptions } from '#messaging';
import { startService } from '#platform';
import { testPorts } from '../../../test/support/ports.js';
import { createTestDatabase, queryRows } from '../../../test/support/database.js';
import { testConfig } from '../../../test/support/config.js';
import { FeeModule } from '../../fee/src/fee.module.js';
import { provisionAgency } from '../src/agencies/agencies.provisioning.js';
import { DispatchModule } from '../src/dispatch.module.js';
import { provisionRider } from '../src/riders/riders.provisioning.js';
import { eventually } from '../../../test/support/eventually.js';

/** Seoul City Hall, where the test restaurant is, and points at known straight-line distances from it. */
export const CITY_HALL = { lng: 126.978, lat: 37.5665 };
export const GWANGHWAMUN = { lng: 126.9769, lat: 37.5759 };
export const NEAR_CITY_HALL = {
  m300: { lng: 126.978, lat: 37.5692 },
  m1500: { lng: 126.978, lat: 37.58 },
  m4000: { lng: 127.023, lat: 37.5665 },
};

export type AckReply = { ok: boolean; code?: string; message?: string; details?: unknown; [key: string]: unknown };

export interface OfferPayload {
  offerId: string;
  deliveryId: string;
  restaurantName: string;
  pickup: { lng: number; lat: number; address: string };
  dropoff: { lng: number; lat: number; address: string; detail?: string };
  /** Null, like distanceMeters, while feePending. */
  fee: number | null;
  riderPay: number | null;
  distanceMeters: number | null;
  feePending: boolean;
  expiresAt: string;
}


export { eventually };

/** A rider's socket that records every event the server sends it. */
export class RiderClient {
  /** Every event with its payload and, where the server sent one, its second argument (`{ seq }`). */
  readonly received: Array<{ event: string; payload: any; meta?: { seq: number } }> = [];

  constructor(readonly socket: Socket) {
    socket.onAny((event: string, payload: unknown, meta?: { seq: number }) => this.received.push({ event, payload, ...(meta ? { meta } : {}) }));
  }

  events<T = any>(event: string): T[] {
    return this.received.filter((r) => r.event === event).map((r) => r.payload as T);
  }

  offers(): OfferPayload[] {
    return this.events<OfferPayload>('offer');
  }

  /**
   * Waits for an event of this name matching `match`, received at any time since connecting. The wait is bounded
   * for a test to fail rather than hang, not to time dispatch: on a machine loaded by the other suites an offer has
   * taken ~15 s (once, in a full run), so the bound is twice that by default.
   */
  waitFor<T = any>(event: string, match: (payload: T) => boolean = () => true, timeoutMs = 30_000): Promise<T> {
    return eventually(() => this.events<T>(event).find(match), `${event} event`, timeoutMs);
  }

  waitForOffer(deliveryId?: string): Promise<OfferPayload> {
    return this.waitFor<OfferPayload>('offer', (offer) => deliveryId === undefined || offer.deliveryId === deliveryId);
  }

  send(event: string, payload?: unknown): Promise<AckReply> {
    return this.socket.timeout(5000).emitWithAck(event, payload) as Promise<AckReply>;
  }

  async at(point: LngLat): Promise<void> {
    const reply = await this.send('location', point);
    if (!reply.ok) throw new Error(`location refused: ${JSON.stringify(reply)}`);
  }

  disconnect(): void {
    this.socket.disconnect();
  }
}

export interface ConnectOptions {
  localAddress?: string;
  auth?: Record<string, unknown>;
  url?: string;
}

export interface DispatchHarness {
  config: AppConfig;
  databaseUrl: string;
  dispatch: INestApplication;
  dispatchUrl: string;
  dataSource: DataSource;
  startFee(): Promise<void>;
  agency(name?: string): Promise<{ agencyId: string; apiKey: string }>;
  rider(agencyId: string, name: string, capacity?: number): Promise<{ riderId: string; token: string }>;
  /**
   * A rider socket signed in with `token`; `localAddress` plays a rider on another address of this machine, `auth`
   * adds handshake fields (`acknowledgesOffers`, `resume`), `url` connects through another address (a proxy).
   */
  connect(token: string, options?: ConnectOptions): Promise<RiderClient>;
  /** Connects and reports a position. */
  online(token: string, at: LngLat): Promise<RiderClient>;
  /** Sends order.created to dispatch the way order-intake's relay does; resolves with dispatch's reply. */
  publish(event: OrderCreatedEvent): Promise<unknown>;
  /** Sends order.timing-changed ("ready now", "delayed") the same way. */
  publishTiming(event: OrderTimingChangedEvent): Promise<unknown>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** The delivery of an order once dispatch has stored it. */
  deliveryOf(orderId: string): Promise<{
    id: string;
    status: string;
    fee: { total: number; riderPay?: number; quoteId: string } | null;
    rider_id: string | null;
    pricing_problem: { code: string; message: string; at: string } | null;
  }>;
  /** The delivery of an order once dispatch has failed to price it `attempts` times. */
  afterPricingAttempts(orderId: string, attempts: number): ReturnType<DispatchHarness['deliveryOf']>;
  /** Waits until the delivery of every one of these orders has its price. */
  priced(orderIds: string[]): Promise<void>;
  /** The delivery.status-changed events in dispatch's outbox for an order, in the order they were written. */
  statusEvents(orderId: string): Promise<Array<Record<string, any>>>;
  /** The delivery.charge events in dispatch's outbox for an order, in the order they were written. */
  chargeEvents(orderId: string): Promise<Array<Record<string, any>>>;
  /** The agency's riders as its board shows them (`GET /v1/agencies/:agencyId/riders`). */
  agencyRiders(agencyId: string, apiKey: string): Promise<Array<Record<string, any>>>;
  /** Stops dispatch (its riders' sockets drop) and starts it again on the same database, ports and fee service. */
  restart(): Promise<void>;
  /**
   * Another dispatch instance on the same database and fee service, with its own HTTP and RPC ports and `env` over the
   * first one's (e.g. the same DISPATCH_CLUSTER and REDIS_KEY_PREFIX); connect riders to it with `{ url }`.
   */
  startInstance(env?: Record<string, string>): Promise<{ app: INestApplication; url: string; config: AppConfig; close(): Promise<void> }>;
  close(): Promise<void>;
}

export function orderEvent(agencyId: string, overrides: Partial<OrderCreatedEvent> = {}): OrderCreatedEvent {
  return {
    eventId: randomUUID(),
    occurredAt: new Date().toISOString(),
    orderId: randomUUID(),
    agencyId,
    restaurantId: randomUUID(),
    restaurantName: '시청앞 김밥',
    externalOrderId: `pos-${randomUUID()}`,
    pickup: { ...CITY_HALL, address: '서울특별시 중구 세종대로 110' },
    dropoff: { ...GWANGHWAMUN, address: '서울특별시 종로구 세종대로 172', detail: '3층' },
    orderAmount: 9000,
    ...overrides,
  } as OrderCreatedEvent;
}

/**
 * Dispatch booted with its real module on a fresh database, with the real fee service beside it (unless
 * `withFee: false`; start it later with `startFee`). Order-intake is not running: its events stay in
 * dispatch's outbox, where tests read them.
 */
export async function startDispatch(options: { env?: Record<string, string>; withFee?: boolean } = {}): Promise<DispatchHarness> {
  const db = await createTestDatabase();
  const config = await testConfig({ DISPATCH_SWEEP_INTERVAL_MS: '50', ...options.env });
  const apps: INestApplication[] = [];
  const clients: ClientProxy[] = [];
  const sockets: RiderClient[] = [];

  let feeRunning = false;
  const startFee = async () => {
    apps.push(await startService({ service: 'fee', module: FeeModule.forRoot(config, db.url), config }));
    feeRunning = true;
  };
  if (options.withFee !== false) await startFee();
  const startDispatchApp = () => startService({ service: 'dispatch', module: DispatchModule.forRoot(config, db.url), config });
  let dispatch = await startDispatchApp();
  apps.push(dispatch);
  let dataSource = dispatch.get(DataSource);
  const dispatchUrl = `http://127.0.0.1:${config.httpPorts.dispatch}`;
  const publisher = ClientProxyFactory.create(clientOptions(config, 'dispatch'));
  clients.push(publisher);
  const query = <T>(sql: string, params: unknown[] = []) => queryRows<T>(db.url, sql, params);
  const outboxEvents = async (pattern: string, orderId: string) =>
    (
      await query<{ payload: Record<string, any> }>(`SELECT payload FROM dispatch.outbox WHERE pattern = $1 AND payload->>'orderId' = $2 ORDER BY id`, [
        pattern,
        orderId,
      ])
    ).map((row) => row.payload);

  const connect = async (token: string, { auth, url, ...options }: ConnectOptions = {}) => {
    const socket = io(`${url ?? dispatchUrl}/riders`, {
      auth: { token, ...auth },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ...options,
    } as Parameters<typeof io>[1]);
    const client = new RiderClient(socket);
    sockets.push(client);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return client;
  };

  return {
    config,
    databaseUrl: db.url,
    get dispatch() {
      return dispatch;
    },
    dispatchUrl,
    get dataSource() {
      return dataSource;
    },
    startFee,
    agency: async (name = '테스트 대행') => {
      const agency = await provisionAgency(dataSource, { name });
      // Fee takes the new agency (with its default tariff) from dispatch's outbox: an order sent before that would be
      // refused a price (NO_TARIFF) and priced only on a retry, so the agency is ready once fee has it.
      if (feeRunning) {
        await eventually(
          async () => (await query('SELECT 1 FROM fee.tariff_versions WHERE agency_id = $1', [agency.agencyId])).length > 0,
          `fee to have agency ${agency.agencyId}'s tariff`,
        );
      }
      return agency;
    },
    rider: (agencyId, name, capacity) => provisionRider(dataSource, { agencyId, name, capacity }),
    connect,
    online: async (token, at) => {
      const client = await connect(token);
      await client.at(at);
      return client;
    },
    publish: (event) => lastValueFrom(publisher.send(PATTERNS.ORDER_CREATED, event)),
    publishTiming: (event) => lastValueFrom(publisher.send(PATTERNS.ORDER_TIMING_CHANGED, event)),
    query,
    deliveryOf: (orderId) =>
      eventually(async () => (await query<any>('SELECT * FROM dispatch.deliveries WHERE order_id = $1', [orderId]))[0], `delivery of order ${orderId}`),
    afterPricingAttempts: (orderId, attempts) =>
      eventually(async () => {
        const [d] = await query<any>('SELECT * FROM dispatch.deliveries WHERE order_id = $1 AND quote_attempts >= $2', [orderId, attempts]);
        return d;
      }, `${attempts} failed pricing attempts of order ${orderId}`),
    priced: async (orderIds) => {
      await eventually(async () => {
        const [{ n }] = await query<{ n: number }>('SELECT count(*)::int AS n FROM dispatch.deliveries WHERE order_id = ANY($1::uuid[]) AND fee IS NOT NULL', [orderIds]);
        return n === orderIds.length || undefined;
      }, `every delivery of ${orderIds.length} orders priced`);
    },
    statusEvents: (orderId) => outboxEvents(PATTERNS.DELIVERY_STATUS_CHANGED, orderId),
    chargeEvents: (orderId) => outboxEvents(PATTERNS.DELIVERY_CHARGE, orderId),
    agencyRiders: async (agencyId, apiKey) => {
      const response = await fetch(`${dispatchUrl}/v1/agencies/${agencyId}/riders`, { headers: { authorization: `Bearer ${apiKey}` } });
      if (response.status !== 200) throw new Error(`rider list answered ${response.status}: ${await response.text()}`);
      return ((await response.json()) as { riders: Array<Record<string, any>> }).riders;
    },
    restart: async () => {
      apps.splice(apps.indexOf(dispatch), 1);
      await dispatch.close();
      dispatch = await startDispatchApp();
      apps.push(dispatch);
      dataSource = dispatch.get(DataSource);
    },
    startInstance: async (env = {}) => {
      const [httpPort, rpcPort] = await testPorts(2);
      const second: AppConfig = {
        ...(await testConfig({ DISPATCH_SWEEP_INTERVAL_MS: '50', ...options.env, ...env })),
        httpPorts: { ...config.httpPorts, dispatch: httpPort! },
        rpcPorts: { ...config.rpcPorts, dispatch: rpcPort! },
      };
      const app = await startService({ service: 'dispatch', module: DispatchModule.forRoot(second, db.url), config: second });
      apps.push(app);
      const close = async () => {
        apps.splice(apps.indexOf(app), 1);
        await app.close();
      };
      return { app, url: `http://127.0.0.1:${httpPort}`, config: second, close };
    },
    close: async () => {
      sockets.forEach((s) => s.disconnect());
      await Promise.all(clients.map((c) => c.close()));
      for (const app of apps.reverse()) await app.close();
      await db.drop();
    },
  };
}

/** A new agency of the harness with its API key, and calls on its deliveries (`/v1/agencies/:id/deliveries...`) made with that key. */
export async function agencyDeliveriesApi(h: DispatchHarness) {
  const { agencyId, apiKey } = await h.agency();
  const auth = (r: request.Test) => r.set('authorization', `Bearer ${apiKey}`);
  return {
    agencyId,
    apiKey,
    get: (path: string) => auth(request(h.dispatchUrl).get(`/v1/agencies/${agencyId}/deliveries${path}`)),
    post: (path: string, body: object = {}) => auth(request(h.dispatchUrl).post(`/v1/agencies/${agencyId}/deliveries${path}`)).send(body),
  };
}
