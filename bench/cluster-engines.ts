import { Redis } from 'ioredis';
import { mkdtemp, rm } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '#database';
import { fmt, percentile, postgresCpuMs, processCpuMs, rng } from './support.js';

/**
 * What dispatch instances could share, measured side by side in one run on this machine's Redis and an embedded
 * PostgreSQL, for the choice written down in docs/clustering.md.
 *
 * 1. Events to riders on another instance: instance A sends each to instance B, which holds the rider's socket, at
 *    each level of BENCH_RATES events a second (default 1000,5000,20000) for BENCH_SECONDS (default 5), through
 *    Redis pub/sub (PUBLISH to B's channel), a Redis stream (XADD to B's stream, capped; B reads with XREAD BLOCK)
 *    and PostgreSQL (pg_notify on B's channel, B LISTENs). Per engine and level: sent, received, latency from send
 *    to B's receipt (p50/p99, one clock), CPU per event of this process (A and B) and of the engine's server.
 * 2. Positions: BENCH_RIDERS riders (default 10,000) each reporting every 5 s, written in batches every 100 ms as
 *    they would be (Redis GEOADD in one pipeline; PostgreSQL one UPDATE … FROM unnest), and a nearby-riders query
 *    per order at 100 orders/s (GEOSEARCH 3 km, nearest 50; PostgreSQL a bounding box on an index): p50/p99 of
 *    each, CPU per position.
 *
 * REDIS_URL (default redis://127.0.0.1:6379).   npm run bench:cluster-engines
 */

const now = () => performance.timeOrigin + performance.now();
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

interface Channel {
  name: string;
  /** Starts B's receiving; every payload received is passed to `receive`. */
  listen(receive: (payload: string) => void): Promise<void>;
  send(payload: string): Promise<unknown>;
  close(): Promise<void>;
  engineCpuMs(): number;
}

async function fanOut(channel: Channel, rates: number[], seconds: number): Promise<void> {
  let latencies: number[] = [];
  await channel.listen((payload) => latencies.push(now() - Number(payload.slice(payload.indexOf('"sentAt":') + 9, payload.lastIndexOf('}')))));
  for (const rate of rates) {
    latencies = [];
    const cpu0 = { self: processCpuMs(process.pid), engine: channel.engineCpuMs() };
    let sent = 0;
    let owed = 0;
    let failed = 0;
    const started = now();
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        owed += rate / 100;
        for (; owed >= 1; owed--, sent++) {
          // An offer as dispatch sends it, about 400 bytes, with when it left.
          const payload = `{"riderId":"r${sent % 10_000}","event":"offer","data":{"deliveryId":"${sent}","pickup":{"name":"을지로 칼국수","lng":126.9882,"lat":37.5662},"dropoff":{"address":"서울 종로구 세종대로 172","lng":126.9769,"lat":37.5759},"fee":4500,"riderPay":4352,"distanceMeters":2310,"expiresInSeconds":30},"sentAt":${now()}}`;
          channel.send(payload).catch(() => failed++);
        }
        if (now() - started >= seconds * 1000) {
          clearInterval(timer);
          resolve();
        }
      }, 10);
    });
    const elapsed = (now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const sorted = Float64Array.from(latencies).sort();
    const selfMs = processCpuMs(process.pid) - cpu0.self;
    const engineMs = channel.engineCpuMs() - cpu0.engine;
    console.log(
      `| ${channel.name} | ${fmt(rate)} | ${fmt(sent / elapsed)} | ${fmt(latencies.length)}${failed ? ` (${failed} failed)` : ''} | ${fmt(percentile(sorted, 50), 1)} / ${fmt(percentile(sorted, 99), 1)} | ` +
        `${fmt((selfMs * 1000) / sent)} | ${fmt((engineMs * 1000) / sent)} | ${load()} |`,
    );
  }
  await channel.close();
}

interface PositionStore {
  name: string;
  write(batch: Array<{ id: string; lng: number; lat: number }>): Promise<unknown>;
  nearby(lng: number, lat: number): Promise<number>;
  engineCpuMs(): number;
  close(): Promise<void>;
}

async function positions(store: PositionStore, riders: number, seconds: number): Promise<void> {
  const random = rng(11);
  const place = () => ({ lng: 126.9 + random() * 0.2, lat: 37.48 + random() * 0.14 });
  // Every rider once, so the query finds them.
  for (let i = 0; i < riders; i += 1000) await store.write(Array.from({ length: Math.min(1000, riders - i) }, (_, k) => ({ id: `r${i + k}`, ...place() })));
  const writes: number[] = [];
  const queries: number[] = [];
  const cpu0 = { self: processCpuMs(process.pid), engine: store.engineCpuMs() };
  const perBatch = Math.round(riders / 5 / 10);
  let written = 0;
  const started = now();
  const work: Array<Promise<unknown>> = [];
  await new Promise<void>((resolve) => {
    const writer = setInterval(() => {
      const t = now();
      work.push(store.write(Array.from({ length: perBatch }, () => ({ id: `r${Math.floor(random() * riders)}`, ...place() }))).then(() => writes.push(now() - t)));
      written += perBatch;
    }, 100);
    const asker = setInterval(() => {
      const t = now();
      const { lng, lat } = place();
      work.push(store.nearby(lng, lat).then(() => queries.push(now() - t)));
    }, 10);
    setTimeout(() => {
      clearInterval(writer);
      clearInterval(asker);
      resolve();
    }, seconds * 1000);
  });
  await Promise.all(work);
  const elapsed = (now() - started) / 1000;
  const w = Float64Array.from(writes).sort();
  const q = Float64Array.from(queries).sort();
  const selfMs = processCpuMs(process.pid) - cpu0.self;
  const engineMs = store.engineCpuMs() - cpu0.engine;
  console.log(
    `| ${store.name} | ${fmt(written / elapsed)} | ${fmt(percentile(w, 50), 1)} / ${fmt(percentile(w, 99), 1)} | ${fmt(percentile(q, 50), 1)} / ${fmt(percentile(q, 99), 1)} | ` +
      `${fmt((selfMs * 1000) / written)} | ${fmt((engineMs * 1000) / written)} | ${load()} |`,
  );
  await store.close();
}

async function main(): Promise<void> {
  const rates = (process.env.BENCH_RATES ?? '1000,5000,20000').split(',').map(Number);
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const riders = Number(process.env.BENCH_RIDERS ?? 10_000);
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  console.log(`load average at start: ${load()} (${os.cpus().length} cores)`);

  const probe = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await probe.connect();
  const redisPid = Number(/process_id:(\d+)/.exec(await probe.info('server'))?.[1]);
  probe.disconnect();
  const redisCpu = () => processCpuMs(redisPid);

  const dataDir = await mkdtemp(path.join(tmpdir(), 'baecha-bench-'));
  const db = await startEmbeddedPostgres({ dataDir, database: 'bench' });
  const postgresCpu = () => postgresCpuMs(path.resolve(dataDir, 'postgres'));
  const key = `bench:${process.pid}`;

  try {
    console.log('\n| events to another instance | events/s asked | sent/s | received | latency p50 / p99 ms | CPU µs per event, instances | engine | load average |');
    console.log('|---|--:|--:|--:|--:|--:|--:|---|');
    {
      const pub = new Redis(redisUrl);
      const sub = pub.duplicate();
      await fanOut(
        {
          name: 'Redis pub/sub',
          listen: async (receive) => {
            sub.on('message', (_channel: string, payload: string) => receive(payload));
            await sub.subscribe(`${key}:b`);
          },
          send: (payload) => pub.publish(`${key}:b`, payload),
          close: async () => void (pub.disconnect(), sub.disconnect()),
          engineCpuMs: redisCpu,
        },
        rates,
        seconds,
      );
    }
    {
      const writer = new Redis(redisUrl);
      const reader = writer.duplicate();
      let reading = true;
      await fanOut(
        {
          name: 'Redis stream',
          listen: async (receive) => {
            let last = '$';
            void (async () => {
              while (reading) {
                const answer = (await reader.xread('COUNT', 1000, 'BLOCK', 500, 'STREAMS', `${key}:stream`, last)) as Array<[string, Array<[string, string[]]>]> | null;
                for (const [, entries] of answer ?? []) {
                  for (const [id, fields] of entries) {
                    last = id;
                    receive(fields[1]!);
                  }
                }
              }
            })();
          },
          send: (payload) => writer.xadd(`${key}:stream`, 'MAXLEN', '~', '100000', '*', 'e', payload),
          close: async () => {
            reading = false;
            await new Promise((resolve) => setTimeout(resolve, 600));
            await writer.del(`${key}:stream`);
            writer.disconnect();
            reader.disconnect();
          },
          engineCpuMs: redisCpu,
        },
        rates,
        seconds,
      );
    }
    {
      const pool = new pg.Pool({ connectionString: db.url, max: 8 });
      const listener = new pg.Client({ connectionString: db.url });
      await listener.connect();
      await fanOut(
        {
          name: 'PostgreSQL NOTIFY',
          listen: async (receive) => {
            listener.on('notification', (n) => receive(n.payload ?? ''));
            await listener.query('LISTEN bench_b');
          },
          send: (payload) => pool.query('SELECT pg_notify($1, $2)', ['bench_b', payload]),
          close: async () => {
            await listener.end();
            await pool.end();
          },
          engineCpuMs: postgresCpu,
        },
        rates,
        seconds,
      );
    }

    console.log(`\n| positions of ${riders} riders every 5 s, nearby query 100/s | positions/s | write batch p50 / p99 ms | nearby p50 / p99 ms | CPU µs per position, this process | engine | load average |`);
    console.log('|---|--:|--:|--:|--:|--:|---|');
    {
      const redis = new Redis(redisUrl);
      await positions(
        {
          name: 'Redis GEOADD / GEOSEARCH',
          write: (batch) => redis.geoadd(`${key}:geo`, ...batch.flatMap((p) => [p.lng, p.lat, p.id])),
          nearby: async (lng, lat) => ((await redis.geosearch(`${key}:geo`, 'FROMLONLAT', lng, lat, 'BYRADIUS', 3, 'km', 'ASC', 'COUNT', 50)) as unknown[]).length,
          engineCpuMs: redisCpu,
          close: async () => {
            await redis.del(`${key}:geo`);
            redis.disconnect();
          },
        },
        riders,
        seconds * 2,
      );
    }
    {
      const pool = new pg.Pool({ connectionString: db.url, max: 4 });
      await pool.query('CREATE TABLE bench_positions (id text PRIMARY KEY, lng float8 NOT NULL, lat float8 NOT NULL, at timestamptz NOT NULL DEFAULT now())');
      await pool.query('CREATE INDEX ON bench_positions (lat, lng)');
      await positions(
        {
          name: 'PostgreSQL upsert / index',
          write: (batch) =>
            pool.query(
              `INSERT INTO bench_positions (id, lng, lat) SELECT * FROM unnest($1::text[], $2::float8[], $3::float8[])
               ON CONFLICT (id) DO UPDATE SET lng = excluded.lng, lat = excluded.lat, at = now()`,
              [...dedupe(batch)],
            ),
          nearby: async (lng, lat) =>
            (
              await pool.query(
                `SELECT id FROM bench_positions WHERE lat BETWEEN $2 - 0.027 AND $2 + 0.027 AND lng BETWEEN $1 - 0.034 AND $1 + 0.034
                 ORDER BY (lng - $1) ^ 2 * 0.62 + (lat - $2) ^ 2 LIMIT 50`,
                [lng, lat],
              )
            ).rowCount ?? 0,
          engineCpuMs: postgresCpu,
          close: () => pool.end(),
        },
        riders,
        seconds * 2,
      );
    }
  } finally {
    await db.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  console.log(`\nload average at end: ${load()}`);
}

/** One row per rider (an upsert may not touch a row twice), as three columns. */
function dedupe(batch: Array<{ id: string; lng: number; lat: number }>): [string[], number[], number[]] {
  const last = new Map(batch.map((p) => [p.id, p]));
  const rows = [...last.values()];
  return [rows.map((p) => p.id), rows.map((p) => p.lng), rows.map((p) => p.lat)];
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
