import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConsoleLogger, Logger, type DynamicModule, type INestApplication, type LoggerService } from '@nestjs/common';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import type { AppConfig, ServiceName } from '#config';
import { declareDeadLetterQueue, serverOptions } from '#messaging';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { serveApiDocs, type ApiDocs } from './api-docs.js';
import { HttpProtection } from './http-protection.js';
import { answerJsonInPieces, useUtf8JsonBodies } from './json-bodies.js';

export interface ServiceOptions {
  service: ServiceName;
  module: DynamicModule;
  config: AppConfig;
  /** order-intake reads raw bodies itself (signatures are over the exact bytes), so it turns parsing off. */
  bodyParser?: boolean;
  /** 0 picks a free port (tests). */
  httpPort?: number;
  /** Built browser apps to serve over HTTP (dispatch serves the rider client and the agency dashboard). */
  staticSites?: StaticSite[];
  /** The service's OpenAPI document, served at `/docs` and `/docs/openapi.json`. */
  apiDocs?: ApiDocs;
}

/**
 * Files in `dir` served at `prefix`, e.g. `/rider`. A single-page app (`spa`, the default) holds an `index.html`
 * that answers every path under the prefix naming no file; otherwise (shared hashed assets) a missing file is a 404.
 */
export interface StaticSite {
  prefix: string;
  dir: string;
  spa?: boolean;
}

/**
 * Starts one service: HTTP on its port and its message listener. The service's module imports PlatformModule
 * for validation and error mapping on both.
 */
export async function startService(options: ServiceOptions): Promise<INestApplication> {
  const { service, config } = options;
  await declareDeadLetterQueue(config, service);
  const protection = new HttpProtection(service, config.http);
  const module = { ...options.module, imports: [...(options.module.imports ?? []), protection.module()] };
  // Nest's own lines wait for nestjs-pino's logger (ObservabilityModule), so every line is JSON.
  const app = await NestFactory.create(module, { bufferLogs: true, bodyParser: options.bodyParser ?? true });
  app.useLogger(serviceLogger(app));
  if (options.bodyParser ?? true) useUtf8JsonBodies(app);
  answerJsonInPieces(app);
  protection.install(app);
  app.enableShutdownHooks();
  if (options.staticSites) serveStaticSites(app as NestExpressApplication, options.staticSites);
  if (options.apiDocs) serveApiDocs(app, options.apiDocs);
  app.connectMicroservice(serverOptions(config, service), { inheritAppConfig: true });
  await app.startAllMicroservices();
  const port = options.httpPort ?? config.httpPorts[service];
  await app.listen(port);
  new Logger(service).log(`listening: http ${port}, messages over ${config.transport}`);
  return app;
}

/** nestjs-pino's logger (ObservabilityModule); a module without it (a test's own) still logs JSON lines. */
function serviceLogger(app: INestApplication): LoggerService {
  // Asked before getting: a failed `get` stops the process.
  const present = [...app.get(ModulesContainer).values()].some((module) => module.providers.has(PinoNestLogger));
  return present ? app.get(PinoNestLogger) : new ConsoleLogger({ json: true });
}

/**
 * Serves built single-page apps. Hashed assets may be cached for good; `index.html` never is, so a new build
 * reaches browsers on their next load. A path under a prefix that names no file (a client-side route) gets the
 * app's `index.html`; a missing file with an extension stays a 404. A site whose build is missing is skipped
 * with a warning, so a service started from its sources (tests) still runs.
 */
const REVALIDATED = new Set(['index.html', 'sw.js', 'manifest.webmanifest']);

function serveStaticSites(app: NestExpressApplication, sites: StaticSite[]): void {
  const logger = new Logger('StaticSites');
  const setHeaders = (res: Response, file: string) => {
    // What names the app's current files is always checked again: the page, and the rider app's service worker and manifest.
    if (REVALIDATED.has(path.basename(file))) res.setHeader('Cache-Control', 'no-cache');
    else if (file.includes(`${path.sep}assets${path.sep}`)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
  };
  for (const site of sites) {
    const spa = site.spa ?? true;
    const index = path.join(site.dir, 'index.html');
    if (!existsSync(spa ? index : site.dir)) {
      logger.warn(`not serving ${site.prefix}: ${spa ? index : site.dir} is missing (run npm run build)`);
      continue;
    }
    app.useStaticAssets(site.dir, { prefix: site.prefix, setHeaders });
    if (!spa) continue;
    app.use(site.prefix, (req: Request, res: Response, next: NextFunction) => {
      if ((req.method !== 'GET' && req.method !== 'HEAD') || path.extname(req.path) !== '') return next();
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(index);
    });
  }
}

/** Runs a service's main, turning a configuration error into one clear line and exit code 1. */
export function runMain(main: () => Promise<unknown>): void {
  main().catch((error: unknown) => {
    console.error(error instanceof Error && error.name === 'ConfigError' ? error.message : error);
    process.exit(1);
  });
}
