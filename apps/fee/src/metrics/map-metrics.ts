import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { MAP_CHAIN, type MapChain } from '#maps';
import { METRICS_REGISTRY } from '#platform';

const BREAKER_STATE = { closed: 0, half_open: 1, open: 2, no_credentials: -1 } as const;

/**
 * The map chain as Prometheus sees it: requests by provider and outcome (skips included), latency of real
 * calls, breaker state, and how often a quote fell back to the Turf estimate.
 */
@Injectable()
export class MapMetrics implements OnModuleDestroy {
  private readonly unsubscribe: () => void;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry, @Inject(MAP_CHAIN) chain: MapChain) {
    const requests = new Counter({
      name: 'baecha_map_requests_total',
      help: 'Map provider attempts by provider, capability and outcome; skips (breaker_open, rate_limited, busy, no_credentials) included',
      labelNames: ['provider', 'capability', 'outcome'],
      registers: [registry],
    });
    const latency = new Histogram({
      name: 'baecha_map_request_duration_seconds',
      help: 'Time spent on map provider calls that were made (not skipped)',
      labelNames: ['provider', 'capability', 'outcome'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2.5, 5],
      registers: [registry],
    });
    const fallbacks = new Counter({
      name: 'baecha_map_fallbacks_total',
      help: 'Routes answered by the local Turf estimate because no map provider could',
      registers: [registry],
    });
    new Gauge({
      name: 'baecha_map_breaker_state',
      help: 'Circuit breaker per provider and capability: 0 closed, 1 half-open, 2 open, -1 no credentials',
      labelNames: ['provider', 'capability'],
      registers: [registry],
      collect() {
        this.reset();
        for (const p of chain.health()) this.set({ provider: p.provider, capability: p.capability }, BREAKER_STATE[p.state]);
      },
    });
    this.unsubscribe = chain.addAttemptListener((capability, attempt) => {
      const labels = { provider: attempt.provider, capability, outcome: attempt.outcome };
      requests.inc(labels);
      if (!attempt.skipped) latency.observe(labels, attempt.ms / 1000);
      if (attempt.provider === 'turf' && attempt.outcome === 'ok') fallbacks.inc();
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }
}
