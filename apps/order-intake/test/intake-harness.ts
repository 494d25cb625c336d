import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { DataSource } from 'typeorm';
import { startService } from '#platform';
import { createTestDatabase, queryRows } from '../../../test/support/database.js';
import { testConfig } from '../../../test/support/config.js';
import { IntakeModule } from '../src/intake.module.js';
import { provisionRestaurant, type ProvisionedRestaurant } from '../src/restaurants/restaurants.provisioning.js';
import { webhookHeaders } from '../src/webhooks/webhook-signature.js';

/** An answer as the client read it: the status, and the body parsed when it is JSON. */
export interface Answer {
  status: number;
  body: any;
  text: string;
}

/** What intake stores, counted: a refused request must leave every count as it was. */
export interface StoredCounts {
  orders: number;
  statusChanges: number;
  receipts: number;
  outbox: number;
}

export interface IntakeHarness {
  app: INestApplication;
  databaseUrl: string;
  restaurant: ProvisionedRestaurant;
  /** POSTs exactly these bytes as an order, signed with the restaurant's secret unless told otherwise. */
  postOrder(body: string | Buffer, options?: { id?: string; secret?: string; headers?: Record<string, string> }): Promise<Answer>;
  /** Any request, with exactly these bytes as its body. */
  send(method: string, path: string, body?: string | Buffer, headers?: Record<string, string>): Promise<Answer>;
  /** Writes a raw HTTP/1.1 request on a socket, for header bytes an HTTP client refuses to send; the status line's code. */
  sendRaw(request: Buffer): Promise<number>;
  counts(): Promise<StoredCounts>;
  close(): Promise<void>;
}

const RESTAURANT = { name: '을지로 칼국수', address: '서울 중구 을지로 100', lng: 126.9882, lat: 37.5662 };

/** A valid order body, as a restaurant's POS sends it. */
export function orderBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    externalOrderId: `pos-${randomUUID()}`,
    dropoff: { address: '서울 종로구 세종대로 172', lng: 126.9769, lat: 37.5759, detail: '3층 302호' },
    customer: { phone: '010-1234-5678' },
    items: [
      { name: '칼국수', quantity: 2, unitPrice: 9000 },
      { name: '만두', quantity: 1, unitPrice: 7000 },
    ],
    orderAmount: 25000,
    note: '문 앞에 놓아주세요',
    ...overrides,
  };
}

/** Rows in every table an order writes to. */
export async function storedCounts(databaseUrl: string): Promise<StoredCounts> {
  const [row] = await queryRows<StoredCounts>(
    databaseUrl,
    `SELECT (SELECT count(*) FROM intake.orders)::int AS orders,
            (SELECT count(*) FROM intake.order_status_changes)::int AS "statusChanges",
            (SELECT count(*) FROM intake.webhook_receipts)::int AS receipts,
            (SELECT count(*) FROM intake.outbox)::int AS outbox`,
  );
  return row;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * order-intake booted with its real module on a fresh database, with one restaurant, driven over real HTTP;
 * `env` on top of the test configuration. Dispatch is not running: order.created events wait in the outbox.
 */
export async function startIntake(env: Record<string, string> = {}): Promise<IntakeHarness> {
  const db = await createTestDatabase();
  const config = await testConfig(env);
  const app = await startService({ service: 'intake', module: IntakeModule.forRoot(config, db.url), config, bodyParser: false });
  const restaurant = await provisionRestaurant(app.get(DataSource), { agencyId: randomUUID(), ...RESTAURANT });
  const { port } = app.getHttpServer().address() as AddressInfo;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

  const send = (method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}) =>
    new Promise<Answer>((resolve, reject) => {
      const request = http.request({ host: '127.0.0.1', port, method, path, headers, agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode!, body: parse(text), text });
        });
      });
      request.on('error', reject);
      request.end(body);
    });

  return {
    app,
    databaseUrl: db.url,
    restaurant,
    send,
    postOrder: (body, options = {}) => {
      const signed = webhookHeaders(options.secret ?? restaurant.webhookSecret, body, { id: options.id });
      return send('POST', `/v1/restaurants/${restaurant.restaurantId}/orders`, body, {
        'content-type': 'application/json',
        ...(options.headers ?? signed),
      });
    },
    sendRaw: (bytes) =>
      new Promise((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1', () => socket.end(bytes));
        let text = '';
        socket.on('data', (chunk) => (text += chunk.toString('latin1')));
        socket.on('error', reject);
        socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)));
      }),
    counts: () => storedCounts(db.url),
    close: async () => {
      agent.destroy();
      await app.close();
      await db.drop();
    },
  };
}
