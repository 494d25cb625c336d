import { Counter, Gauge, type Registry } from 'prom-client';

/** Anything that sheds load and counts it: requests refused as over capacity so far, and requests in flight now. */
export interface ShedSource {
  readonly shed: number;
  readonly inFlight: number;
}

/**
 * Exports a load shedder's counts, read when scraped: `baecha_http_requests_shed_total` (the source only ever counts
 * up) and `baecha_http_requests_in_flight`. The shedder keeps its own counts, so this adds nothing to
 * the path of a request.
 */
export function registerShedMetrics(registry: Registry, source: ShedSource): void {
  new Counter({
    name: 'baecha_http_requests_shed_total',
    help: 'Requests answered 429/503 at once because the service was over its in-flight limit',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(source.shed);
    },
  });
  new Gauge({
    name: 'baecha_http_requests_in_flight',
    help: 'HTTP requests being handled now',
    registers: [registry],
    collect() {
      this.set(source.inFlight);
    },
  });
}
