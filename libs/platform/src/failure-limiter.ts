import ipaddr from 'ipaddr.js';
import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

export interface FailureLimiterOptions {
  /** Failures a key may have within the window; one more try is refused until the oldest leaves it. */
  limit: number;
  windowMs: number;
  /** Failures remembered per key, for a second, harder limit above `limit` (see retryAfterMs); default `limit`. */
  keep?: number;
  /** Keys remembered at most; beyond it the one whose last failure is oldest is forgotten. */
  maxTracked?: number;
  now?: () => number;
}

/**
 * Failed authentications per key (a client address) in a sliding window, in bounded memory: each key keeps at
 * most `limit` timestamps, keys are kept in the order of their last failure, and those past the window or beyond
 * `maxTracked` are dropped from the front. Successes are not counted, nor do they clear failures.
 */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly maxTracked: number;
  private readonly keep: number;
  private readonly now: () => number;

  constructor(private readonly options: FailureLimiterOptions) {
    this.maxTracked = options.maxTracked ?? 10_000;
    this.keep = Math.max(options.keep ?? options.limit, options.limit);
    this.now = options.now ?? Date.now;
  }

  /** Keys remembered now. */
  get size(): number {
    return this.failures.size;
  }

  /** Milliseconds until `key` may try again with `allowed` failures in the window (at most `keep`); 0 when it may now. */
  retryAfterMs(key: string, allowed = this.options.limit): number {
    const times = this.failures.get(key);
    if (!times || times.length < allowed) return 0;
    return Math.max(0, times[times.length - allowed] + this.options.windowMs - this.now());
  }

  fail(key: string): void {
    const now = this.now();
    const since = now - this.options.windowMs;
    const times = (this.failures.get(key) ?? []).filter((t) => t > since);
    times.push(now);
    if (times.length > this.keep) times.splice(0, times.length - this.keep);
    // Re-inserted at the end: the Map's order is the order of last failures, oldest first.
    this.failures.delete(key);
    this.failures.set(key, times);
    for (const [oldest, its] of this.failures) {
      if (this.failures.size <= this.maxTracked && its[its.length - 1] > since) break;
      this.failures.delete(oldest);
    }
  }
}

/** What a client address is counted under: IPv6 by its /64 (one host usually holds a whole /64), IPv4-mapped as IPv4. */
export function limiterKey(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${parsed.toString()}/64`).toString()}/64`;
}

/** Which peers are proxies whose X-Forwarded-For is believed: TRUST_PROXY's entries (addresses, CIDRs, `loopback`…). */
export type TrustProxy = (address: string, hop: number) => boolean;

export function trustProxy(entries: string[]): TrustProxy {
  return proxyaddr.compile(entries);
}

/** The client's address: the peer's, or what trusted proxies in front of it forwarded (nearest untrusted hop). */
export function clientAddress(request: IncomingMessage, trust: TrustProxy): string {
  return proxyaddr(request, trust);
}
