import { Module } from '@nestjs/common';
import { MapMetrics } from './map-metrics.js';

/** The map chain's metrics, on the service's registry (`GET /metrics`, see ObservabilityModule). */
@Module({ providers: [MapMetrics] })
export class MetricsModule {}
