import { mkdtemp, rm } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { createServiceDataSource, queryPrepared, startEmbeddedPostgres } from '#database';
import { drive, fmt, percentile } from './support.js';

/**
 * What bounding every statement costs (DATABASE_STATEMENT_TIMEOUT_MS: PostgreSQL's statement_timeout, and
 * node-postgres's timer per statement that takes a silent connection as dead). Two data sources on one embedded
 * PostgreSQL, one bounded as the services' are and one not (the baseline), run the same prepared one-row statement
 * (what the services' hot paths send) at BENCH_LEVELS concurrencies (default 1,16) for BENCH_SECONDS each (default
 * 5), in BENCH_ROUNDS interleaved rounds (default 4), so both see the same machine. Prints per variant and level:
 * statements/s, p50/p99 latency, and this process's CPU per statement (the timer is spent here).
 *
 * npm run bench:statement-bound
 */
const levels = (process.env.BENCH_LEVELS ?? '1,16').split(',').map(Number);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 4);
const STATEMENT = { text: 'SELECT $1::int AS n', values: [1] };

const dataDir = await mkdtemp(path.join(tmpdir(), 'baecha-bench-'));
const db = await startEmbeddedPostgres({ dataDir, database: 'bench' });
const open = (statementTimeoutMs?: number) =>
  createServiceDataSource({ url: db.url, schema: 'public', entities: [], migrations: [], poolSize: Math.max(...levels), statementTimeoutMs }).initialize();
const variants = [
  { name: 'unbounded (baseline)', dataSource: await open() },
  { name: 'bounded, 30 s', dataSource: await open(30_000) },
];
type Sample = { completed: number; seconds: number; latenciesMs: number[]; cpuUs: number; statements: number };
const samples = new Map<string, Sample[]>();

try {
  console.log(`load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; levels ${levels.join(', ')}; ${seconds} s each after a 1 s warm-up; ${rounds} rounds`);
  for (let round = 0; round < rounds; round++) {
    // Each round in the other order, so neither variant always runs first.
    for (const variant of round % 2 === 0 ? variants : [...variants].reverse()) {
      for (const concurrency of levels) {
        const cpu = process.cpuUsage();
        const result = await drive({ concurrency, seconds }, () => queryPrepared(variant.dataSource, STATEMENT).then(() => undefined));
        const used = process.cpuUsage(cpu);
        if (result.failed > 0) throw new Error(`${variant.name}: ${result.failed} statements failed: ${result.firstError}`);
        const key = `${variant.name}|${concurrency}`;
        samples.set(key, [
          ...(samples.get(key) ?? []),
          { ...result, cpuUs: used.user + used.system, statements: result.completedAll ?? result.completed },
        ]);
      }
    }
  }
  console.log('\n| variant | clients | statements/s (rounds) | p50 / p99 ms | CPU µs a statement (this process) |');
  console.log('|---|--:|--:|--:|--:|');
  for (const concurrency of levels) {
    for (const variant of variants) {
      const runs = samples.get(`${variant.name}|${concurrency}`)!;
      const rates = runs.map((r) => r.completed / r.seconds);
      const latencies = runs.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
      const cpu = runs.reduce((sum, r) => sum + r.cpuUs, 0) / runs.reduce((sum, r) => sum + r.statements, 0);
      console.log(
        `| ${variant.name} | ${concurrency} | ${fmt(rates.reduce((a, b) => a + b, 0) / rates.length)} (${rates.map((r) => fmt(r)).join(', ')}) | ` +
          `${fmt(percentile(latencies, 50), 3)} / ${fmt(percentile(latencies, 99), 3)} | ${fmt(cpu, 1)} |`,
      );
    }
  }
  console.log(`\nRSS ${fmt(process.memoryUsage().rss / 2 ** 20)} MB`);
} finally {
  for (const { dataSource } of variants) await dataSource.destroy();
  await db.stop();
  await rm(dataDir, { recursive: true, force: true });
}
