import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { pino, type Logger } from 'pino';
import { logContextFields, saneId } from './log-context.js';

/**
 * Structured JSON logs, one line per event. Every line carries the fields of its log context (`orderId`,
 * `deliveryId`, `correlationId`: see log-context.ts); lines of an HTTP request also its `requestId`.
 */
export function createLogger(service: string, level: string): Logger {
  return pino({
    name: service,
    level,
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: logContextFields,
  });
}

/** The header a request id comes in and goes back out in. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * The request's id: the caller's `x-request-id` when it is a sane id (so a caller's own id follows the request
 * into our logs), else a fresh one; echoed in the response either way. Called once per request.
 */
export function requestIdFor(request: IncomingMessage & { id?: unknown }, response: ServerResponse): string {
  if (typeof request.id === 'string') return request.id;
  const id = saneId(request.headers[REQUEST_ID_HEADER]) ?? randomUUID();
  request.id = id;
  if (!response.headersSent) response.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/** Probes and scrapes answer many times a minute and say nothing about an order. */
const QUIET_PATHS = new Set(['/health', '/metrics']);

/**
 * nestjs-pino's settings: one pino logger for Nest's own logging and for HTTP, each request's lines bound to its
 * `requestId`, and one line per finished request (`debug` when it succeeded, so a busy service does not write a line
 * per order twice; `info` for a refusal, `error` for a failure). Headers are never logged: they hold API keys and
 * signatures.
 */
export function loggerParams(service: string, level: string): Params {
  return {
    pinoHttp: {
      logger: createLogger(service, level),
      quietReqLogger: true,
      customAttributeKeys: { reqId: 'requestId' },
      genReqId: (request, response) => requestIdFor(request, response),
      autoLogging: { ignore: (request) => QUIET_PATHS.has(request.url ?? '') },
      customLogLevel: (_request, response, error) => (error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'info' : 'debug'),
      serializers: {
        req: (request: { method?: string; url?: string }) => ({ method: request.method, url: request.url }),
        res: (response: { statusCode?: number }) => ({ statusCode: response.statusCode }),
      },
    },
  };
}

/** Keeps a phone number recognisable to its owner without writing it to logs: 010-****-5678. */
export function maskPhone(phone: string | undefined): string | undefined {
  if (!phone) return phone;
  const digits = phone.replace(/\D/g, '');
  return digits.length < 4 ? '****' : `***-****-${digits.slice(-4)}`;
}
