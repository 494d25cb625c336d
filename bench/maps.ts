import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { loadConfig, type MapsConfig } from '#config';
import type { LngLat } from '#contracts';
import {
  createMapChain,
  KakaoDirections,
  NaverDirections,
  ProviderError,
  RouteCache,
  TurfEstimate,
  type Route,
  type RouteResult,
} from '#maps';
import { FakeKakao, FakeNaver, type Fault } from '../libs/maps/src/testing/index.js';
import { percentile, rng } from './support.js';

/**
 * `npm run bench:maps`: quotes routed through the map chain against fake Kakao and Naver servers that answer
 * after 50 ms, in three phases — all healthy, Kakao hanging, Kakao and Naver both failing — and, in the same
 * run, through a naive chain (each provider in turn with the same timeout, no breaker, same route cache).
 * The fakes run in a worker thread so they do not share the chain's event loop.
 *
 * BENCH_SECONDS (default 10) per phase, BENCH_CONCURRENCY (default 32) quotes in flight. Trips around Seoul:
 * BENCH_REPEAT_SHARE (default 0.3) of quotes repeat one of BENCH_TRIPS (default 3000) regular origin/destination
 * pairs (a regular customer of a nearby restaurant); the rest are new pairs, as most deliveries are. The cache hit
 * rate printed is what that mix gives.
 */

const LATENCY_MS = 50;

// ---------------------------------------------------------------------------------------------------------
// Fake providers, in their own thread

type Command = { target: 'kakao' | 'naver'; fault: Fault } | { target: 'stats' };

async function runFakes(): Promise<void> {
  const kakao = await new FakeKakao('bench-kakao').start();
  const naver = await new FakeNaver('bench-id', 'bench-secret').start();
  kakao.latencyMs = LATENCY_MS;
  naver.latencyMs = LATENCY_MS;
  parentPort!.postMessage({ kakao: kakao.url, naver: naver.url });
  parentPort!.on('message', (command: Command) => {
    if (command.target === 'stats') {
      parentPort!.postMessage({ kakao: kakao.count(), naver: naver.count(), aborted: kakao.aborted + naver.aborted });
      return;
    }
    (command.target === 'kakao' ? kakao : naver).fault = command.fault;
    parentPort!.postMessage({ ok: true });
  });
}

// ---------------------------------------------------------------------------------------------------------
// Trips

const HUBS = (() => {
  const random = rng(20221015);
  return Array.from({ length: 40 }, () => ({ lng: 126.85 + random() * 0.3, lat: 37.45 + random() * 0.2 }));
})();

/** Restaurants cluster in a few dozen neighbourhoods; customers live 0.3–5 km away. */
function makeTrip(random: () => number): [LngLat, LngLat] {
  const hub = HUBS[Math.floor(random() * HUBS.length)];
  const pickup = { lng: hub.lng + (random() - 0.5) * 0.01, lat: hub.lat + (random() - 0.5) * 0.01 };
  const km = 0.3 + random() * 4.7;
  const angle = random() * 2 * Math.PI;
  const dropoff = { lng: pickup.lng + (km / 88) * Math.cos(angle), lat: pickup.lat + (km / 111) * Math.sin(angle) };
  return [pickup, dropoff];
}

function makeTrips(count: number): Array<[LngLat, LngLat]> {
  const random = rng(1);
  return Array.from({ length: count }, () => makeTrip(random));
}

// ---------------------------------------------------------------------------------------------------------
// The naive baseline

/** Tries each provider in turn with the same per-call timeout; no breaker, no deadline, no concurrency bound. */
class NaiveChain {
  private readonly cache: RouteCache;
  private readonly providers: Array<KakaoDirections | NaverDirections>;
  private readonly turf: TurfEstimate;

  constructor(private readonly config: MapsConfig) {
    this.cache = new RouteCache(config.routeCache.ttlMs, config.routeCache.maxEntries);
    this.providers = [
      new KakaoDirections(config.kakao.mobilityBaseUrl, config.kakao.restApiKey!),
      new NaverDirections(config.naver.baseUrl, config.naver.clientId!, config.naver.clientSecret!),
    ];
    this.turf = new TurfEstimate(config.detourFactor);
  }

  async route(from: LngLat, to: LngLat): Promise<RouteResult> {
    const hit = this.cache.get(from, to);
    if (hit) return { ...hit, cached: true, attempts: [] };
    for (const provider of this.providers) {
      try {
        const route = await provider.route(from, to, { timeoutMs: this.config.providerTimeoutMs });
        this.cache.set(from, to, route);
        return { ...route, cached: false, attempts: [] };
      } catch (error) {
        if (!(error instanceof ProviderError)) throw error;
      }
    }
    return { ...(await this.turf.route(from, to)), cached: false, attempts: [] };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Load

interface PhaseResult {
  quotes: number;
  seconds: number;
  p50: number;
  p99: number;
  cacheHits: number;
  byProvider: Record<string, number>;
}

async function runPhase(
  route: (from: LngLat, to: LngLat) => Promise<Route & { cached: boolean }>,
  trips: Array<[LngLat, LngLat]>,
  seconds: number,
  concurrency: number,
  seed: number,
  repeatShare: number,
): Promise<PhaseResult> {
  const random = rng(seed);
  const latencies: number[] = [];
  const byProvider: Record<string, number> = {};
  let cacheHits = 0;
  const started = performance.now();
  const endAt = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < endAt) {
        const [from, to] = random() < repeatShare ? trips[Math.floor(random() * trips.length)] : makeTrip(random);
        const t0 = performance.now();
        const result = await route(from, to);
        latencies.push(performance.now() - t0);
        if (result.cached) cacheHits += 1;
        byProvider[result.provider] = (byProvider[result.provider] ?? 0) + 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { quotes: latencies.length, seconds: elapsed, p50: percentile(latencies, 50, 0), p99: percentile(latencies, 99, 0), cacheHits, byProvider };
}

async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const repeatShare = Number(process.env.BENCH_REPEAT_SHARE ?? 0.3);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
  const trips = makeTrips(Number(process.env.BENCH_TRIPS ?? 3000));

  const worker = new Worker(fileURLToPath(import.meta.url));
  const next = () => new Promise<Record<string, unknown>>((resolve) => worker.once('message', resolve));
  const urls = (await next()) as { kakao: string; naver: string };
  const command = async (message: Command) => {
    const answer = next();
    worker.postMessage(message);
    return answer;
  };

  const config = loadConfig({
    ...process.env,
    KAKAO_REST_API_KEY: 'bench-kakao',
    KAKAO_MOBILITY_BASE_URL: urls.kakao,
    KAKAO_LOCAL_BASE_URL: urls.kakao,
    NAVER_MAPS_CLIENT_ID: 'bench-id',
    NAVER_MAPS_CLIENT_SECRET: 'bench-secret',
    NAVER_MAPS_BASE_URL: urls.naver,
  }).maps;

  const phases: Array<{ name: string; kakao: Fault; naver: Fault }> = [
    { name: 'all healthy', kakao: { kind: 'none' }, naver: { kind: 'none' } },
    { name: 'Kakao hanging', kakao: { kind: 'hang' }, naver: { kind: 'none' } },
    { name: 'Kakao and Naver down (503)', kakao: { kind: 'server_error', status: 503 }, naver: { kind: 'server_error', status: 503 } },
  ];

  console.log(
    `bench:maps — ${Math.round(repeatShare * 100)}% of quotes repeat one of ${trips.length} regular trips, the rest are new; ${concurrency} quotes in flight, ${seconds} s per phase, providers answer after ${LATENCY_MS} ms; ` +
      `timeout ${config.providerTimeoutMs} ms, deadline ${config.chainDeadlineMs} ms, breaker ${config.breaker.errorThresholdPercentage}% of ≥${config.breaker.volumeThreshold}, reset ${config.breaker.resetTimeoutMs} ms`,
  );

  const results: Record<string, PhaseResult[]> = {};
  for (const variant of ['chain', 'naive'] as const) {
    const chain = variant === 'chain' ? createMapChain(config) : undefined;
    const naive = variant === 'naive' ? new NaiveChain(config) : undefined;
    const route = (from: LngLat, to: LngLat) => (chain ? chain.route(from, to) : naive!.route(from, to));
    results[variant] = [];
    for (const [index, phase] of phases.entries()) {
      await command({ target: 'kakao', fault: phase.kakao });
      await command({ target: 'naver', fault: phase.naver });
      const result = await runPhase(route, trips, seconds, concurrency, 1000 + index, repeatShare);
      results[variant].push(result);
      const share = Object.entries(result.byProvider)
        .map(([name, n]) => `${name} ${((100 * n) / result.quotes).toFixed(0)}%`)
        .join(', ');
      console.log(
        `${variant.padEnd(5)} | ${phase.name.padEnd(27)} | ${(result.quotes / result.seconds).toFixed(0).padStart(6)} quotes/s | ` +
          `p50 ${result.p50.toFixed(1)} ms | p99 ${result.p99.toFixed(1)} ms | cache hits ${((100 * result.cacheHits) / result.quotes).toFixed(0)}% | ${share}`,
      );
    }
    chain?.close();
  }

  console.log('\n| phase | chain quotes/s | chain p50 / p99 ms | naive quotes/s | naive p50 / p99 ms | chain ÷ naive quotes/s | cache hits (chain) |');
  console.log('|---|--:|--:|--:|--:|--:|--:|');
  for (const [index, phase] of phases.entries()) {
    const c = results.chain[index];
    const n = results.naive[index];
    const rate = (r: PhaseResult) => r.quotes / r.seconds;
    console.log(
      `| ${phase.name} | ${rate(c).toFixed(0)} | ${c.p50.toFixed(1)} / ${c.p99.toFixed(1)} | ${rate(n).toFixed(0)} | ${n.p50.toFixed(1)} / ${n.p99.toFixed(1)} | ` +
        `${(rate(c) / rate(n)).toFixed(1)}× | ${((100 * c.cacheHits) / c.quotes).toFixed(0)}% |`,
    );
  }
  const healthyP99 = results.chain[0].p99;
  const outage = results.chain.slice(1);
  const worstP99 = Math.max(...outage.map((r) => r.p99));
  const worstRate = Math.min(...outage.map((r) => r.quotes / r.seconds));
  console.log(
    `\ngoals: outage p99 ${worstP99.toFixed(1)} ms vs 2 × healthy p99 ${(2 * healthyP99).toFixed(1)} ms → ${worstP99 <= 2 * healthyP99 ? 'met' : 'NOT met'}; ` +
      `slowest outage phase ${worstRate.toFixed(0)} quotes/s vs 3,400 → ${worstRate >= 3400 ? 'met' : 'NOT met'}`,
  );
  const stats = await command({ target: 'stats' });
  console.log(`fake servers received kakao ${String(stats.kakao)}, naver ${String(stats.naver)} requests; ${String(stats.aborted)} aborted by timeouts`);
  await worker.terminate();
}

if (isMainThread) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  void runFakes();
}
