import { describe, expect, it } from '@jest/globals';
import { loadConfig } from './config.js';

describe('HTTP limits in loadConfig', () => {
  it('gives the documented defaults', () => {
    expect(loadConfig({}).http).toEqual({
      maxInFlight: { intake: 128, dispatch: 256, fee: 128 },
      maxEventLoopDelayMs: 500,
      overloadRetryAfterSeconds: 1,
      databaseRetryAfterSeconds: 5,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 15_000,
      keepAliveTimeoutMs: 5_000,
      idleTimeoutMs: 30_000,
      maxConnections: undefined,
      slowClientMs: 2_000,
      maxRiderConnections: 12_000,
    });
  });

  it('reads each service\'s bound, 0 turning it off', () => {
    const { http } = loadConfig({ INTAKE_MAX_IN_FLIGHT: '0', DISPATCH_MAX_IN_FLIGHT: '10', FEE_MAX_IN_FLIGHT: '20' });
    expect(http.maxInFlight).toEqual({ intake: 0, dispatch: 10, fee: 20 });
  });

  it('names a bad value, and refuses a headers timeout longer than the whole request\'s', () => {
    expect(() => loadConfig({ INTAKE_MAX_IN_FLIGHT: '-1' })).toThrow(/INTAKE_MAX_IN_FLIGHT="-1"/);
    expect(() => loadConfig({ HTTP_MAX_CONNECTIONS: 'many' })).toThrow(/HTTP_MAX_CONNECTIONS="many"/);
    expect(loadConfig({ HTTP_MAX_CONNECTIONS: '0' }).http.maxConnections).toBe(0);
    expect(() => loadConfig({ OVERLOAD_RETRY_AFTER_SECONDS: '0' })).toThrow(/OVERLOAD_RETRY_AFTER_SECONDS="0"/);
    expect(() => loadConfig({ RIDER_MAX_CONNECTIONS: '0' })).toThrow(/RIDER_MAX_CONNECTIONS="0"/);
    expect(() => loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_REQUEST_TIMEOUT_MS: '10000' })).toThrow(/HTTP_HEADERS_TIMEOUT_MS=20000: must be at most HTTP_REQUEST_TIMEOUT_MS/);
  });
});
