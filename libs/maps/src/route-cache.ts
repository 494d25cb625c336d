import type { LngLat } from '#contracts';
import type { Route } from './routing.js';

/** 4 decimal places of a degree is about 11 m of latitude and 9 m of longitude in Seoul. */
function key(from: LngLat, to: LngLat): string {
  return `${from.lng.toFixed(4)},${from.lat.toFixed(4)};${to.lng.toFixed(4)},${to.lat.toFixed(4)}`;
}

/**
 * Real routes by origin and destination rounded to about 10 m, for a limited time, and at most `maxEntries` of
 * them (the least recently used go first). Estimates are never cached, so a provider's return is seen at once.
 */
export class RouteCache {
  private readonly entries = new Map<string, { route: Route; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(from: LngLat, to: LngLat): Route | undefined {
    const k = key(from, to);
    const entry = this.entries.get(k);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(k);
      return undefined;
    }
    // Re-inserting moves the entry to the back of the Map's order, which makes eviction least-recently-used.
    this.entries.delete(k);
    this.entries.set(k, entry);
    return entry.route;
  }

  set(from: LngLat, to: LngLat, route: Route): void {
    if (this.maxEntries <= 0 || this.ttlMs <= 0 || route.estimated) return;
    const k = key(from, to);
    this.entries.delete(k);
    this.entries.set(k, { route, expiresAt: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
