import { Logger, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AppConfig, ServiceName } from '#config';
import { declareDeadLetterQueue, serverOptions } from '#messaging';
import { createLogger, PinoNestLogger } from './logger.js';

export interface ServiceOptions {
  service: ServiceName;
  module: DynamicModule;
  config: AppConfig;
  /** order-intake reads raw bodies itself (signatures are over the exact bytes), so it turns parsing off. */
  bodyParser?: boolean;
  /** 0 picks a free port (tests). */
  httpPort?: number;
}

/**
 * Starts one service: HTTP on its port and its message listener. The service's module imports PlatformModule
 * for validation and error mapping on both.
 */
export async function startService(options: ServiceOptions): Promise<INestApplication> {
  const { service, config } = options;
  await declareDeadLetterQueue(config, service);
  const logger = new PinoNestLogger(createLogger(service, config.logLevel));
  const app = await NestFactory.create(options.module, { logger, bodyParser: options.bodyParser ?? true });
  app.enableShutdownHooks();
  app.connectMicroservice(serverOptions(config, service), { inheritAppConfig: true });
  await app.startAllMicroservices();
  const port = options.httpPort ?? config.httpPorts[service];
  await app.listen(port);
  new Logger(service).log(`listening: http ${port}, messages over ${config.transport}`);
  return app;
}

/** Runs a service's main, turning a configuration error into one clear line and exit code 1. */
export function runMain(main: () => Promise<unknown>): void {
  main().catch((error: unknown) => {
    console.error(error instanceof Error && error.name === 'ConfigError' ? error.message : error);
    process.exit(1);
  });
}
