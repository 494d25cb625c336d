import { describe, expect, it } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import { clientAddress, FailureLimiter, limiterKey, trustProxy } from './failure-limiter.js';

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('FailureLimiter', () => {
  it('refuses a key after `limit` failures within the window, until the oldest of them leaves it', () => {
    const time = clock();
    const sut = new FailureLimiter({ limit: 3, windowMs: 60_000, now: time.now });
    for (let i = 0; i < 3; i++) {
      expect(sut.retryAfterMs('a')).toBe(0);
      sut.fail('a');
      time.advance(1000);
    }
    expect(sut.retryAfterMs('a')).toBe(57_000);
    expect(sut.retryAfterMs('b')).toBe(0);
    time.advance(57_000);
    expect(sut.retryAfterMs('a')).toBe(0);
    sut.fail('a');
    // Two of the earlier three are still in the window.
    expect(sut.retryAfterMs('a')).toBe(1000);
  });

  it('keeps enough failures for a second, harder limit', () => {
    const time = clock();
    const sut = new FailureLimiter({ limit: 2, keep: 4, windowMs: 60_000, now: time.now });
    for (let i = 0; i < 3; i++) (sut.fail('a'), time.advance(1000));
    expect(sut.retryAfterMs('a')).toBe(58_000);
    expect(sut.retryAfterMs('a', 4)).toBe(0);
    sut.fail('a');
    expect(sut.retryAfterMs('a', 4)).toBe(57_000);
  });

  it('forgets keys whose failures are older than the window, and never tracks more than maxTracked keys', () => {
    const time = clock();
    const sut = new FailureLimiter({ limit: 2, windowMs: 10_000, maxTracked: 100, now: time.now });
    for (let i = 0; i < 1000; i++) sut.fail(`10.0.${i >> 8}.${i & 255}`);
    expect(sut.size).toBeLessThanOrEqual(100);
    // The most recent keys are the ones kept.
    sut.fail('10.0.3.231');
    expect(sut.retryAfterMs('10.0.3.231')).toBe(10_000);
    time.advance(10_001);
    sut.fail('fresh');
    expect(sut.size).toBe(1);
  });

  it('counts an IPv6 client by its /64 and an IPv4-mapped one as its IPv4 address', () => {
    expect(limiterKey('2001:db8:1:2:aaaa::1')).toBe(limiterKey('2001:db8:1:2:bbbb::9'));
    expect(limiterKey('2001:db8:1:2::1')).not.toBe(limiterKey('2001:db8:1:3::1'));
    expect(limiterKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(limiterKey('203.0.113.9')).toBe('203.0.113.9');
  });
});

describe('clientAddress', () => {
  const request = (remoteAddress: string, forwardedFor?: string) =>
    ({ socket: { remoteAddress }, connection: { remoteAddress }, headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} }) as unknown as IncomingMessage;

  it('is the peer address unless the peer is a trusted proxy', () => {
    const none = trustProxy([]);
    expect(clientAddress(request('198.51.100.7', '203.0.113.1'), none)).toBe('198.51.100.7');
    const loopback = trustProxy(['loopback']);
    expect(clientAddress(request('127.0.0.1', '203.0.113.1'), loopback)).toBe('203.0.113.1');
    // A client cannot claim an address by sending the header itself through the proxy: the proxy's own entry is last.
    expect(clientAddress(request('127.0.0.1', '10.9.9.9, 203.0.113.1'), loopback)).toBe('203.0.113.1');
    expect(clientAddress(request('198.51.100.7', '203.0.113.1'), loopback)).toBe('198.51.100.7');
  });
});
