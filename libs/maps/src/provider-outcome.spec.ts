import { describe, expect, it } from '@jest/globals';
import { countsAgainstProvider, isTripProblem, parseRetryAfter } from './provider-outcome.js';

describe('outcome classification', () => {
  it('never counts a trip problem or a rate limit against the provider', () => {
    for (const outcome of ['no_route', 'too_close', 'not_near_road', 'not_found', 'bad_request', 'rate_limited', 'ok'] as const) {
      expect(countsAgainstProvider(outcome)).toBe(false);
    }
    for (const outcome of ['bad_credentials', 'unavailable', 'timeout', 'malformed'] as const) {
      expect(countsAgainstProvider(outcome)).toBe(true);
      expect(isTripProblem(outcome)).toBe(false);
    }
    expect(isTripProblem('too_close')).toBe(true);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-22T10:00:00Z');
    expect(parseRetryAfter('30', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 10:00:12 GMT', now)).toBe(12_000);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});
