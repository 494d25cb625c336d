import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type ServiceName } from '#config';
import { resolveDatabase } from '#database';
import { runMain } from '#platform';
import { superviseEmbeddedPostgres } from './database-supervisor.js';
import { demoFile, describeDemo, ensureDemo } from './demo.js';
import { RestartBackoff } from './restart-backoff.js';
import { openServiceDatabases } from './service-databases.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SERVICES: Record<ServiceName, string> = {
  fee: path.resolve(here, '../apps/fee/src/main.js'),
  dispatch: path.resolve(here, '../apps/dispatch/src/main.js'),
  intake: path.resolve(here, '../apps/order-intake/src/main.js'),
};

/**
 * `npm start`: the whole stack on one machine. Starts the database (embedded unless DATABASE_URL, and then
 * restarted if it dies), migrates every schema, creates the demo tenants on first start, then runs each service
 * as its own process and restarts one that dies, so a crash of one service does not take the others down.
 */
runMain(async () => {
  const config = loadConfig();
  const database = config.databaseUrl
    ? await resolveDatabase(config)
    : await superviseEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPostgresPort, log: (line) => console.error(line) });
  console.log(config.databaseUrl ? 'database: DATABASE_URL' : `database: embedded PostgreSQL, data in ${path.resolve(config.dataDir, 'postgres')}`);

  const databases = await openServiceDatabases(database.url);
  if (databases.applied.length) console.log(`migrations applied: ${databases.applied.join(', ')}`);
  if (config.seedDemo) {
    const { demo, created } = await ensureDemo(config, databases);
    console.log(describeDemo(demo, demoFile(config), created));
  }
  await databases.close();

  let stopping = false;
  const children = new Map<ServiceName, ChildProcess>();
  const run = (service: ServiceName, backoff: RestartBackoff) => {
    backoff.started();
    const child = spawn(process.execPath, [SERVICES[service]], {
      // Dispatch's /fee proxy reaches fee over loopback and names the browser in X-Forwarded-For: fee believes it.
      env: { ...process.env, DATABASE_URL: database.url, ...(service === 'fee' && !process.env.TRUST_PROXY ? { TRUST_PROXY: 'loopback' } : {}) },
      stdio: 'inherit',
    });
    children.set(service, child);
    child.on('exit', (code, signal) => {
      children.delete(service);
      if (stopping) return;
      const delay = backoff.next();
      console.error(`${service} exited (${signal ?? code}); restarting in ${delay} ms`);
      setTimeout(() => run(service, backoff), delay);
    });
  };
  for (const service of Object.keys(SERVICES) as ServiceName[]) run(service, new RestartBackoff());
  console.log(
    `order-intake http://127.0.0.1:${config.httpPorts.intake}  dispatch http://127.0.0.1:${config.httpPorts.dispatch}  fee http://127.0.0.1:${config.httpPorts.fee}  (messages over ${config.transport})`,
  );

  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await Promise.all(
      [...children.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
            setTimeout(() => (child.kill('SIGKILL'), resolve()), 10_000).unref();
          }),
      ),
    );
    await database.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
});
