import { fork } from 'node:child_process';
import { readdirSync } from 'node:fs';
import http from 'node:http';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ConnectionCap, LoadShedder } from '#platform';
import { sendOrder, startIntakeStack } from './intake-stack.js';
import { drive, fmt, summarise, type LevelResult } from './support.js';

/**
 * `BENCH_MODE=slow-clients npm run bench:intake`: real orders while BENCH_SLOW_CONNECTIONS (default 10,000)
 * connections trickle their bodies at one byte every BENCH_TRICKLE_MS (default 1000) and open again whenever they
 * are closed, the way a slow-loris attack (or a crowd of dying links) holds a server. The trickling comes from
 * child processes of at most 5,000 connections each, so their descriptors are not the service's; the real orders
 * from BENCH_REAL_CLIENTS (default 8) closed-loop senders, each order on a new connection, in another child process, for BENCH_SECONDS (default 20) once
 * the slow connections are open. Prints the real orders' answers and latency and the service process's open
 * descriptors, with the service's settings and again in the same run with Node's defaults (no cap, a 300 s whole-
 * request timeout checked every 30 s, no bound on requests in progress). Run it under a lower `ulimit -n` to see
 * what running out of descriptors does.
 */

interface RealJob {
  url: string;
  secret: string;
  concurrency: number;
  seconds: number;
}

/** The real senders: each status other than 202 is a failure, counted by what it was. */
async function realOrders(job: RealJob): Promise<LevelResult & { outcomes: Record<string, number> }> {
  // A new connection for every order, as many restaurants each sending now and then do.
  const agent = new http.Agent({ keepAlive: false, maxSockets: job.concurrency });
  const target = new URL(job.url);
  const outcomes: Record<string, number> = {};
  const result = await drive(job, async () => {
    const status = await new Promise<string>((resolve) => {
      const request = sendOrder(
        agent,
        target,
        job.secret,
        (response) => {
          response.resume();
          response.on('end', () => resolve(String(response.statusCode)));
        },
        10_000,
      );
      request.on('timeout', () => request.destroy(new Error('timeout')));
      request.on('error', (error) => resolve((error as NodeJS.ErrnoException).code ?? error.message));
    });
    outcomes[status] = (outcomes[status] ?? 0) + 1;
    if (status !== '202') throw new Error(status);
  });
  agent.destroy();
  return { ...result, outcomes };
}

/** A child process holding `count` trickling connections, reopening each one the server closes. */
function trickler(port: number, path: string, count: number, trickleMs: number): void {
  let open = 0;
  let reopened = 0;
  const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nwebhook-id: msg_slow\r\nwebhook-timestamp: 1\r\nwebhook-signature: v1,x\r\n\r\n{`;
  const sockets = new Set<Socket>();
  const openOne = () => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => {
      open++;
      sockets.add(socket);
      socket.write(head);
    });
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (sockets.delete(socket)) open--;
      reopened++;
      setTimeout(openOne, 100 + Math.random() * 400);
    });
  };
  // Opened in steps, as a crowd arrives, not in one burst the kernel's backlog would drop.
  let started = 0;
  const ramp = setInterval(() => {
    for (let i = 0; i < 250 && started < count; i++, started++) openOne();
    if (started >= count) clearInterval(ramp);
  }, 50);
  setInterval(() => {
    for (const socket of sockets) socket.write(' ');
  }, trickleMs);
  setInterval(() => process.connected && process.send!({ open, reopened }, undefined, undefined, () => undefined), 500);
  process.on('disconnect', () => process.exit(0));
}

/** Descriptors this process has open now (Linux); Infinity when it has none left to count them with. */
function openFds(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EMFILE') return Infinity;
    throw error;
  }
}

const describeFds = (fds: number) => (fds === Infinity ? 'all (EMFILE)' : String(fds));

export async function slowClientsMain(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 20);
  const slow = Number(process.env.BENCH_SLOW_CONNECTIONS ?? 10_000);
  const trickleMs = Number(process.env.BENCH_TRICKLE_MS ?? 1000);
  const concurrency = Number(process.env.BENCH_REAL_CLIENTS ?? 8);
  const stack = await startIntakeStack();
  const path = new URL(stack.url).pathname;
  const nodeDefaults = {
    HTTP_MAX_CONNECTIONS: '0',
    HTTP_HEADERS_TIMEOUT_MS: '60000',
    HTTP_REQUEST_TIMEOUT_MS: '300000',
    HTTP_KEEP_ALIVE_TIMEOUT_MS: '5000',
    HTTP_IDLE_TIMEOUT_MS: '0',
    INTAKE_MAX_IN_FLIGHT: '0',
    OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
  };
  const { http: limits } = stack.config;
  const runs = [
    {
      name: `limits (cap ${limits.maxConnections ?? 'ulimit -n − 256'}, headers ${limits.headersTimeoutMs} ms, request ${limits.requestTimeoutMs} ms, slow after ${limits.slowClientMs} ms, in flight ≤ ${limits.maxInFlight.intake})`,
      env: {},
    },
    { name: "baseline: Node's defaults", env: nodeDefaults },
  ];
  console.log(`${slow} trickling connections (a byte every ${trickleMs} ms), ${concurrency} real senders for ${seconds} s; open file limit: see ulimit -n`);
  const rows: string[] = [];
  for (const run of runs) {
    await stack.restart(run.env);
    const port = stack.config.httpPorts.intake;
    const children = Array.from({ length: Math.ceil(slow / 5000) }, (_, i) =>
      fork(fileURLToPath(import.meta.url), [], {
        env: { ...process.env, BENCH_TRICKLER: JSON.stringify({ port, path, count: Math.min(5000, slow - i * 5000), trickleMs }) },
      }),
    );
    const states = children.map(() => ({ open: 0, reopened: 0 }));
    children.forEach((child, i) => child.on('message', (state: { open: number; reopened: number }) => (states[i] = state)));
    const openSlow = () => states.reduce((sum, s) => sum + s.open, 0);
    // Until they are all open, or have been cut as fast as they come (five seconds of trying).
    const until = Date.now() + Math.max(5000, (slow / 5000) * 1000);
    while (Date.now() < until && openSlow() < slow) await new Promise((resolve) => setTimeout(resolve, 250));

    let peakFds = openFds();
    let peakOpen = 0;
    const sampler = setInterval(() => {
      peakFds = Math.max(peakFds, openFds());
      peakOpen = Math.max(peakOpen, openSlow());
    }, 250);
    const job: RealJob = { url: stack.url, secret: stack.secret, concurrency, seconds };
    // Out of descriptors, this process (the service) cannot even start the senders' process: that is the result.
    const real = await inChild<LevelResult & { outcomes: Record<string, number> }>({ BENCH_REAL_ORDERS: JSON.stringify(job) }).catch(
      (error: NodeJS.ErrnoException) => ({ completed: 0, failed: 0, seconds, latenciesMs: [], outcomes: { [`senders not started: ${error.code ?? error.message}`]: 1 } }),
    );
    clearInterval(sampler);
    const summary = summarise(real);
    const reopened = states.reduce((sum, s) => sum + s.reopened, 0);
    const cap = stack.app.get(ConnectionCap);
    const shedder = stack.app.get(LoadShedder);
    children.forEach((child) => child.kill('SIGKILL'));
    console.log(
      `${run.name}: real orders ${real.completed} accepted (${fmt(summary.perSecond)}/s, p50 ${fmt(summary.p50, 1)} ms, p99 ${fmt(summary.p99, 1)} ms), ` +
        `${real.failed} failed ${JSON.stringify(real.outcomes)}; slow connections open at most ${peakOpen}, closed by the server ${reopened}; ` +
        `service descriptors at most ${describeFds(peakFds)}; cap: ${cap.open} open, ${cap.evicted} closed to make room, ${cap.refused} refused; ` +
        `shedder: ${shedder.arrivingSlowly} slow requests not counted at the end, refused ${JSON.stringify(shedder.shedBy)}`,
    );
    rows.push(
      `| ${run.name} | ${real.completed} | ${fmt(summary.perSecond)} | ${fmt(summary.p50, 1)} / ${fmt(summary.p99, 1)} | ${real.failed} ${real.failed ? JSON.stringify(real.outcomes) : ''} | ` +
        `${peakOpen} | ${reopened} | ${describeFds(peakFds)} |`,
    );
    // The killed children's connections close; let the server see them go.
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  await stack.close();
  console.log(`\n${slow} trickling connections, ${concurrency} real senders for ${seconds} s\n`);
  console.log('| run | real orders accepted | per s | p50 / p99 ms | failed | slow connections open (peak) | slow connections closed by the server | service descriptors (peak) |');
  console.log('|---|--:|--:|--:|--:|--:|--:|--:|');
  for (const row of rows) console.log(row);
}

/** Runs this file in a child process with `env` and resolves with its first message (the service's descriptors stay its own). */
function inChild<T>(env: Record<string, string>): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, ...env } });
    child.once('message', (message) => resolve(message as T));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before reporting`)));
  });
}

if (process.env.BENCH_TRICKLER && process.send) {
  const { port, path, count, trickleMs } = JSON.parse(process.env.BENCH_TRICKLER) as { port: number; path: string; count: number; trickleMs: number };
  trickler(port, path, count, trickleMs);
} else if (process.env.BENCH_REAL_ORDERS && process.send) {
  realOrders(JSON.parse(process.env.BENCH_REAL_ORDERS) as RealJob).then((result) => process.send!(result, undefined, undefined, () => process.exit(0)));
}
