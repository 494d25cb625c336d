import { existsSync } from 'node:fs';
import { readdir, readFile, readlink, realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '#database';
import { RestartBackoff } from './restart-backoff.js';

export interface SupervisorOptions {
  dataDir: string;
  /** Unset: a free port, kept for every restart so the services' DATABASE_URL stays right. */
  port?: number;
  database?: string;
  /** Where the supervisor says what happened (npm start: stderr). */
  log(line: string): void;
  /** How often a server this process did not start (one left running by an earlier launcher) is checked. */
  pollMs?: number;
}

/**
 * `npm start`'s embedded PostgreSQL, kept running: when its postmaster dies (a crash, `kill -9`, the OOM killer),
 * this says so and starts it again on the same data directory and port, backing off if it keeps dying.
 * PostgreSQL's own crash recovery replays the WAL, so nothing committed is lost; the services' pools reconnect by
 * themselves and meanwhile answer 503 DATABASE_UNAVAILABLE. A server this process did not start (left by an earlier
 * launcher) is watched by its pid.
 */
export async function superviseEmbeddedPostgres(options: SupervisorOptions): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(options.dataDir, 'postgres');
  // While restarting, PostgreSQL's lines about its recovery, or why it will not start, go to the log too.
  let echo = false;
  const pgLog = (line: string) => echo && RECOVERY_LINES.test(line) && options.log(`postgres: ${line.trim()}`);
  const start = (port?: number) => startEmbeddedPostgres({ dataDir: options.dataDir, port, database: options.database, log: pgLog });
  let current = await start(options.port);
  const port = Number(new URL(current.url).port);
  const backoff = new RestartBackoff();
  let stopping = false;
  /** A restart under way, which stopping must wait for, or it would leave a server running. */
  let starting: Promise<unknown> = Promise.resolve();

  const watch = async (): Promise<void> => {
    while (!stopping) {
      const pid = current.process?.pid ?? (await lockPid(databaseDir));
      let how = await (current.process?.exited ?? gone(pid, options.pollMs ?? 1000));
      if (stopping) return;
      echo = true;
      for (;;) {
        const delay = backoff.next();
        options.log(`embedded PostgreSQL (pid ${pid}) ${how}: restarting it in ${delay} ms on port ${port} with data in ${databaseDir}`);
        await new Promise((resolve) => setTimeout(resolve, delay));
        if (stopping) return;
        await clearStaleLock(databaseDir, pid);
        try {
          const attempt = start(port);
          starting = attempt.catch(() => undefined);
          current = await attempt;
          break;
        } catch (error) {
          how = `could not be restarted (${(error as Error).message})`;
        }
      }
      echo = false;
      backoff.started();
      options.log(`embedded PostgreSQL restarted (pid ${current.process?.pid}) on port ${port}; services reconnect by themselves`);
    }
  };
  void watch();

  return {
    url: current.url,
    stop: async () => {
      stopping = true;
      await starting;
      await current.stop();
    },
  };
}

const RECOVERY_LINES = /database system was|redo (starts|done)|invalid record|shared memory|lock file|PANIC/;

/** The postmaster's pid from its lock file. */
async function lockPid(databaseDir: string): Promise<number | undefined> {
  const file = path.join(databaseDir, 'postmaster.pid');
  return existsSync(file) ? Number((await readFile(file, 'utf8')).split('\n')[0]) || undefined : undefined;
}

/** Resolves once no process has `pid`. */
async function gone(pid: number | undefined, pollMs: number): Promise<string> {
  for (;;) {
    try {
      if (pid === undefined) return 'is gone';
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return 'is gone';
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/**
 * PostgreSQL removes a lock file whose pid is dead by itself, but refuses one whose pid a new, unrelated process
 * has taken since. The pid it names died under our eyes, so the file is stale, and removing it is safe once no
 * process of the dead server is left (its backends run in the data directory, and PostgreSQL finds them through
 * the file's shared-memory key, which would be lost).
 */
async function clearStaleLock(databaseDir: string, deadPid: number | undefined): Promise<void> {
  if (deadPid === undefined || (await lockPid(databaseDir)) !== deadPid) return;
  try {
    process.kill(deadPid, 0);
  } catch {
    return; // Nobody has the pid: PostgreSQL clears the file itself.
  }
  if (await processesIn(databaseDir)) return;
  await rm(path.join(databaseDir, 'postmaster.pid'), { force: true });
}

/** True when some process's working directory is `dir` (PostgreSQL's processes run in their data directory), or when it cannot be told. */
async function processesIn(dir: string): Promise<boolean> {
  try {
    const real = await realpath(dir);
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => undefined);
      if (cwd === real) return true;
    }
    return false;
  } catch {
    return true;
  }
}
