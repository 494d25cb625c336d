import { Module } from '@nestjs/common';
import { createMetricsRegistry, METRICS_REGISTRY, MetricsController } from '#platform';
import { MapMetrics } from './map-metrics.js';

/** `GET /metrics`: the process and the map chain, for Prometheus. */
@Module({
  controllers: [MetricsController],
  providers: [{ provide: METRICS_REGISTRY, useFactory: () => createMetricsRegistry('fee') }, MapMetrics],
})
export class MetricsModule {}
