import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppConfig, ServiceName } from '../../libs/config/src/config.js';
import { provisionAgency } from '../../apps/dispatch/src/agencies/agencies.provisioning.js';
import { provisionRider } from '../../apps/dispatch/src/riders/riders.provisioning.js';
import { provisionRestaurant } from '../../apps/order-intake/src/restaurants/restaurants.provisioning.js';
import { openServiceDatabases } from '../../tools/service-databases.js';
import { Restaurant } from './actors.js';
import { testPorts } from './ports.js';
import { createTestDatabase } from './database.js';
import { envFor, testConfig } from './config.js';
import { eventually } from './eventually.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN: Record<ServiceName, string> = {
  intake: path.join(root, 'dist/apps/order-intake/src/main.js'),
  dispatch: path.join(root, 'dist/apps/dispatch/src/main.js'),
  fee: path.join(root, 'dist/apps/fee/src/main.js'),
};

const PORT_VARIABLE = { intake: 'INTAKE', dispatch: 'DISPATCH', fee: 'FEE' } as const satisfies Record<ServiceName, string>;

export interface Stack {
  config: AppConfig;
  databaseUrl: string;
  url(service: ServiceName): string;
  databases: Awaited<ReturnType<typeof openServiceDatabases>>;
  start(service: ServiceName): Promise<void>;
  /**
   * One more process of `service`, called `name`, on the same database with its own HTTP and RPC ports; `kill` and
   * `logs` take its name. Over TCP, messages still go to the first instance's RPC port; over RabbitMQ every instance
   * consumes the service's one queue. `env` is added to this process's environment only. Resolves with its URL.
   */
  startInstance(service: ServiceName, name: string, env?: Record<string, string>): Promise<string>;
  /** `startInstance('dispatch', name)`. */
  startDispatch(name: string): Promise<string>;
  /** Sends a signal (SIGKILL for a crash) and waits for the process to be gone. */
  kill(service: ServiceName | string, signal?: NodeJS.Signals): Promise<void>;
  logs(service: ServiceName | string): string;
  /**
   * An agency with one restaurant at Seoul City Hall and the named riders, created through the services' own
   * provisioning; with `callbackUrl` the restaurant is sent status callbacks there.
   */
  tenants(agencyName: string, riderNames: string[], restaurant?: { callbackUrl?: string }): Promise<Tenants>;
  stop(): Promise<void>;
}

export interface Tenants {
  agency: { agencyId: string; apiKey: string };
  restaurant: Restaurant;
  riders: Array<{ riderId: string; token: string; name: string }>;
}

/** How long a launched service may take to answer /health. */
const STARTUP_LIMIT_MS = 60_000;

/**
 * The three services as separate processes from the built code, on a fresh database, with free ports; the
 * way `npm start` runs them, driven only over their public interfaces.
 */
export async function startStack(options: { transport: 'tcp' | 'rmq'; env?: Record<string, string> }): Promise<Stack> {
  const db = await createTestDatabase();
  const queuePrefix = `test_${randomBytes(4).toString('hex')}_`;
  const config = await testConfig({
    TRANSPORT: options.transport,
    ...(options.transport === 'rmq' ? { RABBITMQ_URL: process.env.RABBITMQ_URL!, RMQ_QUEUE_PREFIX: queuePrefix } : {}),
    ...options.env,
  });
  const env = envFor(config, db.url, { RMQ_QUEUE_PREFIX: queuePrefix, LOG_LEVEL: 'info', ...options.env });
  const databases = await openServiceDatabases(db.url);
  const children = new Map<string, ChildProcess>();
  const output: Record<string, string[]> = { intake: [], dispatch: [], fee: [] };
  const url = (service: ServiceName) => `http://127.0.0.1:${config.httpPorts[service]}`;

  const start = (service: ServiceName) => launch(service, MAIN[service], env, url(service));
  const launch = async (service: string, main: string, env: Record<string, string>, serviceUrl: string) => {
    const child = spawn(process.execPath, [main], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.set(service, child);
    output[service] ??= [];
    const keep = (chunk: Buffer) => {
      output[service].push(chunk.toString());
      if (output[service].length > 2000) output[service].splice(0, 1000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    // A bound to fail rather than hang: a service boots in 2–5 s, but once in a full run with browsers and the
    // cluster suites beside it, fee printed nothing for 30 s.
    const deadline = Date.now() + STARTUP_LIMIT_MS;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`${service} exited with ${child.exitCode}:\n${output[service].join('')}`);
      const healthy = await fetch(`${serviceUrl}/health`).then((r) => r.status === 200 || r.status === 503, () => false);
      if (healthy) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${service} did not answer /health within ${STARTUP_LIMIT_MS / 1000} s:\n${output[service].join('')}`);
  };

  const kill = async (service: string, signal: NodeJS.Signals = 'SIGTERM') => {
    const child = children.get(service);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
    children.delete(service);
  };

  const stack: Stack = {
    config,
    databaseUrl: db.url,
    url,
    databases,
    start,
    startInstance: async (service, name, extra = {}) => {
      const [httpPort, rpcPort] = await testPorts(2);
      const ports = { [`${PORT_VARIABLE[service]}_PORT`]: String(httpPort), [`${PORT_VARIABLE[service]}_RPC_PORT`]: String(rpcPort) };
      await launch(name, MAIN[service], { ...env, ...extra, ...ports }, `http://127.0.0.1:${httpPort}`);
      return `http://127.0.0.1:${httpPort}`;
    },
    startDispatch: (name) => stack.startInstance('dispatch', name),
    kill,
    logs: (service) => (output[service] ?? []).join(''),
    tenants: async (agencyName, riderNames, restaurant = {}) => {
      const agency = await provisionAgency(databases.dispatch, { name: agencyName });
      const credentials = await provisionRestaurant(databases.intake, {
        agencyId: agency.agencyId,
        name: '테스트 식당',
        address: '서울특별시 중구 세종대로 110',
        lng: 126.978,
        lat: 37.5665,
        callbackUrl: restaurant.callbackUrl,
      }, config.intake.callbacks);
      const riders = [];
      for (const name of riderNames) riders.push({ ...(await provisionRider(databases.dispatch, { agencyId: agency.agencyId, name })), name });
      // Dispatch announces the agency to fee through its outbox; until fee has it, quotes say NO_TARIFF. Asking fee's
      // HTTP API meanwhile would count as guessing the agency's key (fee does not know it yet), so its table is read.
      // A busy machine (the suite runs beside other stacks) can hold the relay's retries back for a while: the wait is
      // generous, and when it ends the two services' last words say why.
      await eventually(async () => {
        const known: unknown[] = await databases.fee.query('SELECT 1 FROM fee.agencies WHERE id = $1', [agency.agencyId]);
        return known.length === 1 ? true : undefined;
      }, 'fee to know the new agency', 45_000).catch((error: Error) => {
        const tail = (service: ServiceName) => output[service].join('').split('\n').slice(-30).join('\n');
        throw new Error(`${error.message}\n--- dispatch:\n${tail('dispatch')}\n--- fee:\n${tail('fee')}`);
      });
      return { agency, restaurant: new Restaurant(url('intake'), credentials), riders };
    },
    stop: async () => {
      await Promise.all([...children.keys()].map((s) => kill(s)));
      await databases.close();
      await db.drop();
      if (options.transport === 'rmq') await deleteQueues(process.env.RABBITMQ_URL!, queuePrefix);
    },
  };
  try {
    // fee first: dispatch asks it for quotes as soon as an order arrives.
    await start('fee');
    await start('dispatch');
    await start('intake');
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack;
}

async function deleteQueues(url: string, prefix: string): Promise<void> {
  const amqp = await import('amqplib');
  const connection = await amqp.connect(url);
  const channel = await connection.createChannel();
  for (const service of ['intake', 'dispatch', 'fee']) {
    await channel.deleteQueue(`${prefix}${service}`).catch(() => undefined);
    await channel.deleteQueue(`${prefix}${service}.dead`).catch(() => undefined);
  }
  await connection.close().catch(() => undefined);
}

export { eventually } from './eventually.js';
