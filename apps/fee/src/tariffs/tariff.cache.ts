import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotificationListener } from '#database';
import type { HealthCheck } from '#platform';
import { TARIFF_CHANGES, TariffsRepository } from './tariffs.repository.js';

/** An agency's versions from the one in force when read: `from` is when that one took effect. */
interface Timeline {
  from: number;
  entries: Array<{ version: number; effectiveFrom: number }>;
}

const MAX_AGENCIES = 10_000;

/** What the cache did, for /health. */
export interface TariffCacheStats {
  listening: boolean;
  agencies: number;
  hits: number;
  misses: number;
  /** Quotes priced by a remembered version that the database no longer had in force (see `forget`). */
  stale: number;
  /** Times LISTEN was (re)established, each emptying the cache. */
  subscriptions: number;
}

/**
 * Which tariff version is in force for an agency at any moment, without asking the database for every quote.
 * Per agency it keeps the version in force when first asked and every version scheduled after it, so a scheduled
 * version takes over at its moment with no event (a weather surcharge lapses by its own `until` in pricing). Every
 * change of a tariff, through any fee instance, is NOTIFYed as it commits and empties that agency's entry here.
 * Only while LISTEN is in place is anything kept: a connection that drops empties the cache and the database is
 * asked until LISTEN is back. Behind it, a quote is stored only if its version is still the one in force (see
 * `QuotesRepository.insertMany`), so a missed or late notification costs a re-pricing, never a wrong price.
 */
@Injectable()
export class TariffCache implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('tariff-cache');
  private readonly timelines = new Map<string, Timeline>();
  private readonly loading = new Map<string, Promise<Timeline>>();
  /** Bumped by every change heard: a timeline read before it may be old, so it is used once but not kept. */
  private epoch = 0;
  private readonly counts = { hits: 0, misses: 0, stale: 0, subscriptions: 0 };
  private readonly listener: NotificationListener;

  constructor(
    dataSource: DataSource,
    private readonly tariffs: TariffsRepository,
  ) {
    this.listener = new NotificationListener(dataSource, TARIFF_CHANGES, {
      notified: (agencyId) => this.forget(agencyId),
      subscribed: () => {
        this.counts.subscriptions++;
        this.clear();
        if (this.counts.subscriptions > 1) this.logger.log('listening for tariff changes again; the cache starts empty');
      },
      lost: (error) => {
        this.clear();
        this.logger.warn(`stopped hearing tariff changes (${(error as Error)?.message ?? String(error)}); pricing from the database until LISTEN is back`);
      },
    });
  }

  onApplicationBootstrap(): void {
    this.listener.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.listener.close();
  }

  /** The number of the agency's version in force at `at`, or undefined when it had none then. */
  async versionAt(agencyId: string, at: Date): Promise<number | undefined> {
    if (this.listener.listening) {
      const known = this.timelines.get(agencyId);
      if (known && at.getTime() >= known.from) {
        this.counts.hits++;
        return versionIn(known, at);
      }
      this.counts.misses++;
      const timeline = known ?? (await this.load(agencyId));
      if (at.getTime() >= timeline.from) return versionIn(timeline, at);
    }
    // A moment before the version in force (a quote for the past), or no LISTEN: the database knows.
    return this.tariffs.versionInForce(agencyId, at);
  }

  /** Drops what is kept of the agency: its tariff changed, or a quote found the version remembered no longer in force. */
  forget(agencyId: string, options: { stale?: boolean } = {}): void {
    this.epoch++;
    this.timelines.delete(agencyId);
    this.loading.delete(agencyId);
    if (options.stale) this.counts.stale++;
  }

  stats(): TariffCacheStats {
    return { listening: this.listener.listening, agencies: this.timelines.size, ...this.counts };
  }

  private clear(): void {
    this.epoch++;
    this.timelines.clear();
    this.loading.clear();
  }

  /** Reads the agency's timeline once however many quotes ask at once; keeps it unless a change was heard meanwhile. */
  private load(agencyId: string): Promise<Timeline> {
    const pending = this.loading.get(agencyId);
    if (pending) return pending;
    const epoch = this.epoch;
    const now = new Date();
    const loaded = this.tariffs.timeline(agencyId, now).then((entries) => {
      const timeline = toTimeline(entries, now);
      if (this.loading.get(agencyId) === loaded) this.loading.delete(agencyId);
      // An agency with no version is not kept: fee may learn of it any moment, and ids asked for need not exist.
      if (epoch === this.epoch && this.listener.listening && entries.length > 0) {
        if (this.timelines.size >= MAX_AGENCIES) this.timelines.delete(this.timelines.keys().next().value as string);
        this.timelines.set(agencyId, timeline);
      }
      return timeline;
    });
    this.loading.set(agencyId, loaded);
    loaded.catch(() => this.loading.get(agencyId) === loaded && this.loading.delete(agencyId));
    return loaded;
  }
}

function toTimeline(entries: Array<{ version: number; effectiveFrom: Date }>, readAt: Date): Timeline {
  const list = entries.map((entry) => ({ version: entry.version, effectiveFrom: entry.effectiveFrom.getTime() }));
  // With no version in force when read, the agency had none before its first scheduled one either.
  return { from: list.length > 0 && list[0].effectiveFrom <= readAt.getTime() ? list[0].effectiveFrom : -Infinity, entries: list };
}

/** The latest entry in force by `at` (entries are soonest first, the newer of two from one moment last). */
function versionIn(timeline: Timeline, at: Date): number | undefined {
  const t = at.getTime();
  let found: number | undefined;
  for (const entry of timeline.entries) {
    if (entry.effectiveFrom > t) break;
    found = entry.version;
  }
  return found;
}

/** /health: whether tariff changes are heard (not critical: without them quotes read the database), and the cache's counts. */
export function tariffChangesCheck(cache: TariffCache): HealthCheck {
  return {
    name: 'tariff-changes',
    critical: false,
    check: async () => {
      const stats = cache.stats();
      if (!stats.listening) throw Object.assign(new Error('not listening for tariff changes: quotes read the tariff from the database'), { detail: stats });
      return { ...stats };
    },
  };
}
