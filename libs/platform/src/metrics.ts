import { Controller, Get, Header, Inject } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';

/** Injection token for the service's Prometheus registry. */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

/** A registry with Node's process metrics, every series labelled with the service. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** `GET /metrics` in Prometheus' text format. */
@Controller()
export class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
