import { Global, Inject, Injectable, Module, RequestMethod, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { ApplicationConfig } from '@nestjs/core';
import type { ExecutionContext, PreRequestHook } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { LoggerModule } from 'nestjs-pino';
import { Observable } from 'rxjs';
import type { AppConfig, ServiceName } from '#config';
import { CORRELATION_ID } from '#messaging';
import { currentCorrelationId, withLogContext } from './log-context.js';
import { loggerParams, requestIdFor } from './logger.js';
import { createMetricsRegistry, METRICS_REGISTRY, MetricsController } from './metrics.js';
import { RelayMetrics } from './relay-metrics.js';
import { HttpProtectionMetrics } from './shed-metrics.js';

/** Every HTTP request runs in a log context of its own, keyed by its request id. */
function requestLogContext(request: Request, response: Response, next: NextFunction): void {
  withLogContext({ requestId: requestIdFor(request, response) }, next);
}

/**
 * Every message runs in a log context with the ids its payload names (`orderId`, `deliveryId`) and the event's
 * `correlationId`. Read before validation, so each value is checked (`saneId`) before it reaches a log line.
 */
const messageLogContext: PreRequestHook = (context: ExecutionContext, next) =>
  new Observable((subscriber) => {
    const data = context.switchToRpc().getData<Record<string, unknown> | null>();
    const fields = typeof data === 'object' && data !== null ? { correlationId: data.correlationId, orderId: data.orderId, deliveryId: data.deliveryId } : {};
    // Subscribing inside the context puts the whole handler (guards, pipes, interceptors) in it.
    const subscription = withLogContext(fields as Record<string, string | undefined>, () => next().subscribe(subscriber));
    return () => subscription.unsubscribe();
  });

/** Registers the message log context on the application's config, which the connected microservice inherits. */
@Injectable()
class MessageLogContext {
  constructor(@Inject(ApplicationConfig) config: ApplicationConfig) {
    config.registerPreRequestHook(messageLogContext);
  }
}

/**
 * What every service exposes of itself: logs through nestjs-pino with request ids and order/delivery fields
 * (log-context.ts), `GET /metrics` from one Prometheus registry (METRICS_REGISTRY, for the service's own
 * metrics), and the outbox relay's metrics where the service has an outbox.
 */
@Global()
@Module({})
export class ObservabilityModule implements NestModule {
  static forService(service: ServiceName, config: Pick<AppConfig, 'logLevel'>): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [LoggerModule.forRoot(loggerParams(service, config.logLevel))],
      controllers: [MetricsController],
      providers: [
        { provide: METRICS_REGISTRY, useFactory: () => createMetricsRegistry(service) },
        { provide: CORRELATION_ID, useValue: currentCorrelationId },
        RelayMetrics,
        HttpProtectionMetrics,
        MessageLogContext,
      ],
      exports: [METRICS_REGISTRY, CORRELATION_ID],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(requestLogContext).forRoutes({ path: '{/*splat}', method: RequestMethod.ALL });
  }
}
