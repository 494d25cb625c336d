import http from 'node:http';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { LoadShedder } from '#platform';
import { sendOrder, startIntakeStack } from './intake-stack.js';
import { fmt, inWorker, percentile, summarise, withPeakRss, type LevelResult } from './support.js';

/**
 * `BENCH_MODE=overload npm run bench:intake`: what order-intake does when offered more than it can take, as on a
 * launch day. First its capacity on this machine: closed-loop senders (BENCH_CAPACITY_CLIENTS, default 64) for
 * BENCH_SECONDS (default 10). Then a storm: orders sent open-loop at BENCH_OVERLOAD_FACTOR (default 5) × that rate
 * for BENCH_STORM_SECONDS (default 10), each given up by its sender after BENCH_CLIENT_TIMEOUT_MS (default 10,000;
 * measured from when it was due, so a sender that falls behind counts its own queueing too), over at most
 * BENCH_CONNECTIONS keep-alive connections (default 2048: restaurants each have their own, so they do not queue
 * behind each other), while another thread asks `/health` every 100 ms. After a 3 s storm that is not counted, the
 * storm runs with the service's settings,
 * then again in the same run with no bound (INTAKE_MAX_IN_FLIGHT=0), the baseline, then with any BENCH_VARIANTS
 * given (`;`-separated runs of `NAME=value,NAME=value`).
 */

interface StormJob {
  role: 'storm';
  url: string;
  secret: string;
  rate: number;
  seconds: number;
  timeoutMs: number;
  connections: number;
}

interface HealthJob {
  role: 'health';
  url: string;
  seconds: number;
}

interface StormResult {
  sent: number;
  /** Seconds the sender took to send them all (above `seconds` when it could not keep the rate). */
  sendSeconds: number;
  acceptedMs: number[];
  /** From when the accepted request had a connection to its answer: what the service itself took. */
  acceptedWireMs: number[];
  shedMs: number[];
  timeouts: number;
  errors: number;
  firstError?: string;
}

interface HealthResult {
  latenciesMs: number[];
  failures: number;
}

/**
 * One request: resolves with its status (0 for a network error), the time from `due` to its answer, and from when it
 * had a connection (a free one from the pool, or a new one connected) to its answer.
 */
function post(
  agent: http.Agent,
  target: URL,
  secret: string,
  due: number,
  timeoutMs: number,
): Promise<{ status: number; ms: number; wireMs: number; error?: string }> {
  return new Promise((resolve) => {
    let done = false;
    let onWire = due;
    const finish = (status: number, error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const now = performance.now();
      resolve({ status, ms: now - due, wireMs: now - onWire, error });
    };
    const request = sendOrder(agent, target, secret, (response) => {
      response.resume();
      response.on('end', () => finish(response.statusCode ?? 0));
      response.on('error', (error) => finish(0, error.message));
    });
    request.once('socket', (socket) => {
      if (!socket.connecting) onWire = performance.now();
      else socket.once('connect', () => (onWire = performance.now()));
    });
    const timer = setTimeout(() => (finish(-1), request.destroy()), Math.max(0, due + timeoutMs - performance.now()));
    request.on('error', (error) => finish(0, (error as NodeJS.ErrnoException).code ?? error.message));
  });
}

/** Sends `rate` orders a second for `seconds`, open loop: each when it is due, whatever the answers before it. */
async function storm(job: StormJob): Promise<StormResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.connections });
  const target = new URL(job.url);
  const result: StormResult = { sent: 0, sendSeconds: 0, acceptedMs: [], acceptedWireMs: [], shedMs: [], timeouts: 0, errors: 0 };
  const total = Math.round(job.rate * job.seconds);
  const interval = 1000 / job.rate;
  const started = performance.now();
  const pending: Array<Promise<void>> = [];
  while (result.sent < total) {
    const now = performance.now();
    // Everything due by now goes out at once; then wait for the next one due.
    while (result.sent < total && started + result.sent * interval <= now) {
      const due = started + result.sent * interval;
      result.sent++;
      pending.push(
        post(agent, target, job.secret, due, job.timeoutMs).then(({ status, ms, wireMs, error }) => {
          if (status === 202) {
            result.acceptedMs.push(ms);
            result.acceptedWireMs.push(wireMs);
          }
          else if (status === 503 || status === 429) result.shedMs.push(ms);
          else if (status === -1) result.timeouts++;
          else {
            result.errors++;
            result.firstError ??= error ?? `HTTP ${status}`;
          }
        }),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + result.sent * interval - performance.now())));
  }
  result.sendSeconds = (performance.now() - started) / 1000;
  await Promise.all(pending);
  agent.destroy();
  return result;
}

/** Asks `/health` every 100 ms for `seconds`, one at a time, each given up after 5 s. */
async function health(job: HealthJob): Promise<HealthResult> {
  const result: HealthResult = { latenciesMs: [], failures: 0 };
  const until = Date.now() + job.seconds * 1000;
  // node:http rather than fetch: the first fetch of a process loads undici, which under a storm's load took longer
  // than the check's 5 s and made the first run's checks fail whatever the service did.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  while (Date.now() < until) {
    const t0 = performance.now();
    const ok = await new Promise<boolean>((resolve) => {
      const request = http.get(job.url, { agent, timeout: 5000 }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode === 200));
      });
      request.on('timeout', () => request.destroy());
      request.on('error', () => resolve(false));
    });
    if (ok) result.latenciesMs.push(performance.now() - t0);
    else result.failures++;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  agent.destroy();
  return result;
}

const p = (values: number[], q: number) => percentile(Float64Array.from(values).sort(), q);

export async function overloadMain(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const stormSeconds = Number(process.env.BENCH_STORM_SECONDS ?? 10);
  const factor = Number(process.env.BENCH_OVERLOAD_FACTOR ?? 5);
  const timeoutMs = Number(process.env.BENCH_CLIENT_TIMEOUT_MS ?? 10_000);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 2048);
  const clients = Number(process.env.BENCH_CAPACITY_CLIENTS ?? 64);
  const variants = (process.env.BENCH_VARIANTS ?? '')
    .split(';')
    .filter(Boolean)
    .map((variant) => Object.fromEntries(variant.split(',').map((pair) => pair.split('=') as [string, string])));
  const stack = await startIntakeStack();
  const { config } = stack;
  const healthUrl = `http://127.0.0.1:${config.httpPorts.intake}/health`;

  const capacityRun = await inWorker<{ mode: 'intake'; concurrency: number; seconds: number; url: string; secret: string }, LevelResult>(
    new URL('./intake.js', import.meta.url).href,
    { mode: 'intake', concurrency: clients, seconds, url: stack.url, secret: stack.secret },
  );
  const capacity = summarise(capacityRun);
  const rate = Math.round(capacity.perSecond * factor);
  console.log(
    `capacity: ${fmt(capacity.perSecond)} orders/s with ${clients} closed-loop senders (p50 ${fmt(capacity.p50, 1)} ms, p99 ${fmt(capacity.p99, 1)} ms)` +
      `${capacity.failed ? `, ${capacity.failed} failed (${capacity.firstError})` : ''}; storm: ${rate} orders/s for ${stormSeconds} s, ` +
      `sender timeout ${timeoutMs} ms, ${connections} connections at most`,
  );

  const runs: Array<{ name: string; env: Record<string, string> }> = [
    { name: `shedding (in flight ≤ ${config.http.maxInFlight.intake}${config.http.maxEventLoopDelayMs ? `, loop delay ≤ ${config.http.maxEventLoopDelayMs} ms` : ''})`, env: {} },
    { name: 'baseline: no bound', env: { INTAKE_MAX_IN_FLIGHT: '0', OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0' } },
    ...variants.map((env) => ({ name: Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' '), env })),
  ];
  // The first storm of a process fares worse whatever its settings (code run for the first time under full load): a
  // short one, not counted, goes first.
  await inWorker<StormJob, StormResult>(import.meta.url, { role: 'storm', url: stack.url, secret: stack.secret, rate, seconds: 3, timeoutMs, connections });
  const rows: string[] = [];
  for (const run of runs) {
    await stack.restart(run.env);
    // Let the outbox of the run before drain and the machine settle.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const stormJob: StormJob = { role: 'storm', url: stack.url, secret: stack.secret, rate, seconds: stormSeconds, timeoutMs, connections };
    const [[result, checks], rssMb] = await withPeakRss(() =>
      Promise.all([
        inWorker<StormJob, StormResult>(import.meta.url, stormJob),
        inWorker<HealthJob, HealthResult>(import.meta.url, { role: 'health', url: healthUrl, seconds: stormSeconds }),
      ]),
    );
    const shedder = stack.app.get(LoadShedder);
    console.log(
      `${run.name}: sent ${result.sent} in ${fmt(result.sendSeconds, 1)} s; accepted ${result.acceptedMs.length} (p50 ${fmt(p(result.acceptedMs, 50))} ms, ` +
        `p99 ${fmt(p(result.acceptedMs, 99))} ms; once on a connection p50 ${fmt(p(result.acceptedWireMs, 50))} ms, p99 ${fmt(p(result.acceptedWireMs, 99))} ms); shed ${result.shedMs.length} (p50 ${fmt(p(result.shedMs, 50), 1)} ms, p99 ${fmt(p(result.shedMs, 99), 1)} ms); ` +
        `sender timeouts ${result.timeouts}; errors ${result.errors}${result.firstError ? ` (${result.firstError})` : ''}; ` +
        `/health p50 ${fmt(p(checks.latenciesMs, 50), 1)} ms, p99 ${fmt(p(checks.latenciesMs, 99), 1)} ms, ${checks.failures} failed; ` +
        `shed by ${JSON.stringify(shedder.shedBy)}; peak RSS ${fmt(rssMb)} MB`,
    );
    rows.push(
      `| ${run.name} | ${rate} | ${result.sent} | ${fmt(result.sent / result.sendSeconds)} | ${result.acceptedMs.length} | ${fmt(result.acceptedMs.length / stormSeconds)} | ` +
        `${fmt(p(result.acceptedMs, 50))} / ${fmt(p(result.acceptedMs, 99))} | ${fmt(p(result.acceptedWireMs, 50))} / ${fmt(p(result.acceptedWireMs, 99))} | ${result.shedMs.length} | ${fmt(p(result.shedMs, 50), 1)} / ${fmt(p(result.shedMs, 99), 1)} | ` +
        `${result.timeouts} | ${result.errors} | ${fmt(p(checks.latenciesMs, 50), 1)} / ${fmt(p(checks.latenciesMs, 99), 1)} (${checks.failures} failed) | ${fmt(rssMb)} |`,
    );
  }
  await stack.close();

  console.log(`\ncapacity ${fmt(capacity.perSecond)} orders/s (${clients} senders, p99 ${fmt(capacity.p99, 1)} ms); storm ${factor}× for ${stormSeconds} s\n`);
  console.log('| run | offered/s | sent | sent/s | accepted | accepted/s | accepted p50 / p99 ms | on a connection p50 / p99 ms | shed (503) | shed p50 / p99 ms | sender timeouts | errors | /health p50 / p99 ms | peak RSS MB |');
  console.log('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const row of rows) console.log(row);
}

if (!isMainThread) {
  const job = workerData as StormJob | HealthJob | { role?: undefined };
  if (job.role === 'storm') storm(job).then((result) => parentPort!.postMessage(result));
  else if (job.role === 'health') health(job).then((result) => parentPort!.postMessage(result));
}
