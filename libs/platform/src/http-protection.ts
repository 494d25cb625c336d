import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Global, Logger, Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import type { HttpLimits, ServiceName } from '#config';
import { ConnectionCap } from './connection-cap.js';
import { DomainError, HTTP_STATUS_BY_CODE } from './domain-error.js';
import { EventLoopDelaySignal } from './event-loop-delay.js';
import { LoadShedder } from './load-shedder.js';

/** Injection token for the service's HttpLimits (the error mapping reads its Retry-After from them). */
export const HTTP_LIMITS = Symbol('HTTP_LIMITS');

/** Paths that answer however loaded the service is: an orchestrator must see it alive, and its metrics. */
const EXEMPT = new Set(['/health', '/metrics']);

/** Descriptors a service needs besides its connections: database pool, message transport, files. */
const RESERVED_FDS = 256;

/** The HTTP connection cap where the open file limit cannot be read. */
const FALLBACK_MAX_CONNECTIONS = 4096;

@Global()
@Module({})
export class HttpProtectionModule {}

/**
 * A service's HTTP server under load: timeouts that cut off slow clients, a connection cap that drops idle and
 * slow connections first, and load shedding that answers 503 `OVERLOADED` with `Retry-After` at once beyond the
 * bound on requests in progress (which slow clients do not take). The shedder and the cap keep their counts,
 * injectable (LoadShedder, ConnectionCap) for metrics.
 */
export class HttpProtection {
  readonly shedder: LoadShedder;
  readonly connections: ConnectionCap;
  private readonly eventLoop?: EventLoopDelaySignal;
  private readonly logger: Logger;

  constructor(
    private readonly service: ServiceName,
    private readonly limits: HttpLimits,
  ) {
    this.logger = new Logger(`${service}:http`);
    this.eventLoop = limits.maxEventLoopDelayMs > 0 ? new EventLoopDelaySignal(limits.maxEventLoopDelayMs) : undefined;
    this.shedder = new LoadShedder({ maxInFlight: limits.maxInFlight[service], signals: this.eventLoop ? [this.eventLoop] : [] });
    this.connections = new ConnectionCap({
      maxConnections: connectionCap(limits, service, openFileLimit()),
      slowClientMs: limits.slowClientMs,
      drop: (socket, response) => drop(socket, response),
    });
  }

  private get riderConnections(): number {
    return this.service === 'dispatch' ? this.limits.maxRiderConnections : 0;
  }

  /** Makes the shedder, the cap and the limits injectable in the service. */
  module(): DynamicModule {
    const providers = [
      { provide: LoadShedder, useValue: this.shedder },
      { provide: ConnectionCap, useValue: this.connections },
      { provide: HTTP_LIMITS, useValue: this.limits },
    ];
    return { module: HttpProtectionModule, global: true, providers, exports: providers.map((p) => p.provide) };
  }

  /** Applies the limits to the app's server; call before it listens. */
  install(app: INestApplication): void {
    const server = app.getHttpServer() as Server;
    const { limits } = this;
    server.headersTimeout = limits.headersTimeoutMs;
    server.requestTimeout = limits.requestTimeoutMs;
    server.keepAliveTimeout = limits.keepAliveTimeoutMs;
    server.timeout = limits.idleTimeoutMs;
    // Node checks the header and request timeouts this often (30 s by default, which let a trickle last 330 s); it
    // reads the setting when the server starts listening, though only the constructor's options are typed.
    (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(25, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4)));
    // Admission runs before Express, so that a refusal costs as little as HTTP itself: under a storm most requests are refused.
    const handlers = server.listeners('request') as Array<(request: IncomingMessage, response: ServerResponse) => void>;
    server.removeAllListeners('request');
    server.on('request', (request: IncomingMessage, response: ServerResponse) => this.admit(request, response, () => handlers.forEach((h) => h(request, response))));
    this.connections.attach(server);
    server.once('close', () => this.eventLoop?.stop());
    this.checkFileLimit();
  }

  private admit(request: IncomingMessage, response: ServerResponse, next: () => void): void {
    if (EXEMPT.has((request.url ?? '/').split('?', 1)[0])) return next();
    const release = this.shedder.admit({
      get receiving() {
        return !request.complete;
      },
      // The service reads every body as it comes (its JSON parser, or order-intake's raw reader).
      whenArrived: (callback) => request.once('end', callback),
    });
    if (!release) return this.refuse(response);
    response.once('close', release);
    next();
  }

  /** 503, not 429: the service as a whole is over capacity, not this client over a quota of its own. */
  private refuse(response: ServerResponse): void {
    const base = this.limits.overloadRetryAfterSeconds;
    // Drawn from base to twice base, so that the retries of a burst refused together do not come back together.
    const retryAfterSeconds = base + Math.floor(Math.random() * (base + 1));
    const error = new DomainError('OVERLOADED', `${this.service} is at its limit of requests in progress; retry after ${retryAfterSeconds} s`, {
      retryAfterSeconds,
    });
    answer(response, HTTP_STATUS_BY_CODE.OVERLOADED, error, { 'retry-after': String(retryAfterSeconds) });
  }

  /** The caps are worthless if the process runs out of descriptors first. */
  private checkFileLimit(): void {
    const limit = openFileLimit();
    const cap = this.connections.limit;
    const needed = cap + this.riderConnections + RESERVED_FDS;
    if (limit !== undefined && cap > 0 && needed > limit) {
      this.logger.warn(
        `open file limit (ulimit -n) is ${limit}, below the ${needed} descriptors ${cap} HTTP connections` +
          `${this.service === 'dispatch' ? ` + ${this.riderConnections} rider sockets (RIDER_MAX_CONNECTIONS)` : ''} + ${RESERVED_FDS} need: raise it or lower them`,
      );
    }
  }
}

/**
 * The HTTP connection cap: the configured one, or else what the open file limit leaves once the reserve (and on
 * dispatch its riders' cap) is set aside. A cap below that only turns clients away sooner (at the cap, connections
 * are closed to make room, which under a flood of slow clients is churn); one above it is never reached before the
 * descriptors run out.
 */
export function connectionCap(limits: HttpLimits, service: ServiceName, fileLimit: number | undefined): number {
  if (limits.maxConnections !== undefined) return limits.maxConnections;
  if (fileLimit === undefined) return FALLBACK_MAX_CONNECTIONS;
  return Math.max(64, fileLimit - RESERVED_FDS - (service === 'dispatch' ? limits.maxRiderConnections : 0));
}

/** Answers with an error body in the one shape every error has. */
function answer(response: ServerResponse, status: number, error: DomainError, headers: Record<string, string>): void {
  const body = JSON.stringify({ error: error.toJSON() });
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)), ...headers });
  response.end(body);
}

/** Drops a connection whose request is still arriving: 408 and the connection closed, or just closed if an answer has begun. */
function drop(socket: Socket, response: ServerResponse | undefined): void {
  if (!response || response.headersSent) {
    socket.destroy();
    return;
  }
  answer(response, HTTP_STATUS_BY_CODE.REQUEST_TIMEOUT, new DomainError('REQUEST_TIMEOUT', 'the request was still arriving when its place was needed; send it again'), {
    connection: 'close',
  });
}

/** The soft limit on open files (Linux), or undefined where it cannot be read. */
function openFileLimit(): number | undefined {
  try {
    const match = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
