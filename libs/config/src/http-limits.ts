import type { Reader, ServiceName } from './config.js';

/**
 * How a service's HTTP server protects itself and the requests it accepts: a bound on requests in progress
 * (beyond it new ones are refused at once with 503 and `Retry-After`), timeouts that cut off slow clients, and a
 * connection cap. See docs/operations.md for how the defaults were measured.
 */
export interface HttpLimits {
  /** Requests in progress at once per service; beyond it new ones get 503 `OVERLOADED`. 0: no bound. */
  maxInFlight: Record<ServiceName, number>;
  /** Also shed while the event loop lags more than this (its p99 over the last half second); 0: off. */
  maxEventLoopDelayMs: number;
  /** `Retry-After` of an `OVERLOADED` answer: a whole number of seconds drawn from this to twice this. */
  overloadRetryAfterSeconds: number;
  /** `Retry-After` of a `DATABASE_UNAVAILABLE` answer. */
  databaseRetryAfterSeconds: number;
  /** From connection (or the end of the previous request) until the request's headers are in. */
  headersTimeoutMs: number;
  /** From the first byte of a request until its whole body is in; a slower request gets 408 and is closed. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection is kept. */
  keepAliveTimeoutMs: number;
  /** A connection with a request in progress and no bytes moving either way for this long is closed; 0: never. */
  idleTimeoutMs: number;
  /**
   * HTTP connections per service (rider sockets not included); 0: no cap. Unset: as many as the open file limit
   * leaves (see HttpProtection), so the process never runs out of descriptors but turns no one away before it must.
   */
  maxConnections?: number;
  /** A connection sending nothing, or still sending its request, after this long is the first closed when room is needed. */
  slowClientMs: number;
  /** Rider WebSocket connections on dispatch, counted apart from HTTP connections. */
  maxRiderConnections: number;
}

export function readHttpLimits(r: Reader): HttpLimits {
  const limits: HttpLimits = {
    maxInFlight: {
      intake: r.int('INTAKE_MAX_IN_FLIGHT', 128, 0, 100_000)!,
      dispatch: r.int('DISPATCH_MAX_IN_FLIGHT', 256, 0, 100_000)!,
      fee: r.int('FEE_MAX_IN_FLIGHT', 128, 0, 100_000)!,
    },
    maxEventLoopDelayMs: r.int('OVERLOAD_MAX_EVENT_LOOP_DELAY_MS', 500, 0, 60_000)!,
    overloadRetryAfterSeconds: r.int('OVERLOAD_RETRY_AFTER_SECONDS', 1, 1, 3600)!,
    databaseRetryAfterSeconds: r.int('DATABASE_RETRY_AFTER_SECONDS', 5, 1, 3600)!,
    headersTimeoutMs: r.int('HTTP_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000)!,
    requestTimeoutMs: r.int('HTTP_REQUEST_TIMEOUT_MS', 15_000, 100, 3_600_000)!,
    keepAliveTimeoutMs: r.int('HTTP_KEEP_ALIVE_TIMEOUT_MS', 5_000, 100, 3_600_000)!,
    idleTimeoutMs: r.int('HTTP_IDLE_TIMEOUT_MS', 30_000, 0, 3_600_000)!,
    maxConnections: r.int('HTTP_MAX_CONNECTIONS', undefined, 0, 1_000_000),
    slowClientMs: r.int('HTTP_SLOW_CLIENT_MS', 2_000, 10, 3_600_000)!,
    maxRiderConnections: r.int('RIDER_MAX_CONNECTIONS', 12_000, 1, 1_000_000)!,
  };
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    r.problems.push(`HTTP_HEADERS_TIMEOUT_MS=${limits.headersTimeoutMs}: must be at most HTTP_REQUEST_TIMEOUT_MS (${limits.requestTimeoutMs})`);
  }
  return limits;
}
