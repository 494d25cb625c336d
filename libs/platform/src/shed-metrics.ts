import { Inject, Injectable, Optional } from '@nestjs/common';
import { Counter, Gauge, type Registry } from 'prom-client';
import { ConnectionCap } from './connection-cap.js';
import { LoadShedder } from './load-shedder.js';
import { METRICS_REGISTRY } from './metrics.js';

/** Anything that sheds load and counts it: requests refused as over capacity so far, by reason, and requests in flight now. */
export interface ShedSource {
  readonly shedBy: Record<string, number>;
  readonly inFlight: number;
}

/** Anything that caps connections: open now, and closed or refused to make room so far. */
export interface ConnectionSource {
  readonly open: number;
  readonly evicted: number;
  readonly refused: number;
}

/** A counter whose value is someone else's running count, read when scraped. */
function countedElsewhere(registry: Registry, name: string, help: string, labelNames: string[], read: () => Array<[Record<string, string>, number]>): void {
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.inc(labels, value);
    },
  });
}

/**
 * Exports a load shedder's counts, read when scraped: `baecha_http_requests_shed_total{reason}` and
 * `baecha_http_requests_in_flight`. The shedder keeps its own counts, so this adds nothing to the path of a request.
 */
export function registerShedMetrics(registry: Registry, source: ShedSource): void {
  countedElsewhere(registry, 'baecha_http_requests_shed_total', 'Requests answered 503 OVERLOADED at once, by what was over its bound', ['reason'], () =>
    Object.entries(source.shedBy).map(([reason, value]) => [{ reason }, value]),
  );
  new Gauge({
    name: 'baecha_http_requests_in_flight',
    help: 'HTTP requests being handled now',
    registers: [registry],
    collect() {
      this.set(source.inFlight);
    },
  });
}

/** Exports a connection cap's counts: `baecha_http_connections_open` and `baecha_http_connections_dropped_total{how}`. */
export function registerConnectionMetrics(registry: Registry, source: ConnectionSource): void {
  new Gauge({
    name: 'baecha_http_connections_open',
    help: 'HTTP connections open now (rider WebSockets not included)',
    registers: [registry],
    collect() {
      this.set(source.open);
    },
  });
  countedElsewhere(registry, 'baecha_http_connections_dropped_total', 'Connections closed to make room (evicted) or refused at the cap', ['how'], () => [
    [{ how: 'evicted' }, source.evicted],
    [{ how: 'refused' }, source.refused],
  ]);
}

/** The service's load shedder and connection cap on its /metrics, where startService installed them. */
@Injectable()
export class HttpProtectionMetrics {
  constructor(
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Optional() shedder?: LoadShedder,
    @Optional() connections?: ConnectionCap,
  ) {
    if (shedder) registerShedMetrics(registry, shedder);
    if (connections) registerConnectionMetrics(registry, connections);
  }
}
