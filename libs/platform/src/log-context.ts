import { AsyncLocalStorage } from 'node:async_hooks';

/** What a log line is about: bound where the code learns it, carried by every line logged after, however deep. */
export interface LogFields {
  orderId?: string;
  deliveryId?: string;
}

/**
 * One request's or one message's log context. `requestId` is the HTTP request's own (its lines get it from
 * nestjs-pino's request logger); `correlationId` is the request that started the work, carried by events.
 */
export interface LogScope extends LogFields {
  requestId?: string;
  correlationId?: string;
}

const scopes = new AsyncLocalStorage<LogScope>();

/** An id fit for a log field and an event envelope: no spaces, quotes or control characters, at most 128 long. */
const SANE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function saneId(value: unknown): string | undefined {
  return typeof value === 'string' && SANE_ID.test(value) ? value : undefined;
}

function clean(fields: LogScope): LogScope {
  const out: LogScope = {};
  for (const key of ['requestId', 'correlationId', 'orderId', 'deliveryId'] as const) {
    const value = saneId(fields[key]);
    if (value) out[key] = value;
  }
  return out;
}

/** Runs `work` in a log context of its own, with `fields` on top of those of the context it was called in. */
export function withLogContext<T>(fields: LogScope, work: () => T): T {
  return scopes.run({ ...scopes.getStore(), ...clean(fields) }, work);
}

/** Adds fields to the current log context, for every later line of this request or message; outside one, nothing. */
export function bindLogContext(fields: LogFields): void {
  const scope = scopes.getStore();
  if (scope) Object.assign(scope, clean(fields));
}

/** The id that ties this work to the request that started it: the event's correlation id, or this request's id. */
export function currentCorrelationId(): string | undefined {
  const scope = scopes.getStore();
  return scope?.correlationId ?? scope?.requestId;
}

/**
 * The fields pino adds to every line (its `mixin`): a fresh object each time, since pino merges the line into it.
 * `requestId` is left to nestjs-pino's request logger, which binds it, so no line has it twice.
 */
export function logContextFields(): Record<string, string> {
  const scope = scopes.getStore();
  if (!scope) return {};
  const fields: Record<string, string> = {};
  if (scope.correlationId) fields.correlationId = scope.correlationId;
  if (scope.orderId) fields.orderId = scope.orderId;
  if (scope.deliveryId) fields.deliveryId = scope.deliveryId;
  return fields;
}

/**
 * A log line about one order or delivery among several (a batch, a sweep, a rider's step): its ids go on the line
 * itself, over whatever the context holds. For Nest's Logger, e.g. `logger.log(about(ids, 'offered'))`.
 */
export function about(fields: LogFields, message: string): LogFields & { msg: string } {
  return { ...fields, msg: message };
}
