import { Inject, Injectable, Optional } from '@nestjs/common';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { OutboxBacklog } from '#database';
import { EventOutbox } from '#messaging';
import { METRICS_REGISTRY } from './metrics.js';

/**
 * The outbox relay as Prometheus sees it, in every service that has one: events published and publishes failed
 * by pattern, and the backlog with the age of its oldest event, read with one query when scraped.
 */
@Injectable()
export class RelayMetrics {
  constructor(@Inject(METRICS_REGISTRY) registry: Registry, @Optional() outbox?: EventOutbox) {
    if (outbox) registerRelayMetrics(registry, outbox);
  }
}

export function registerRelayMetrics(registry: Registry, outbox: Pick<EventOutbox, 'observe' | 'backlog'>): void {
  const relayed = new Counter({
    name: 'baecha_outbox_events_relayed_total',
    help: 'Events the outbox relay handed to the transport, by pattern (a publish repeated after a crash counts again)',
    labelNames: ['pattern'],
    registers: [registry],
  });
  const failed = new Counter({
    name: 'baecha_outbox_publish_failures_total',
    help: 'Publishes that failed and will be retried, by pattern ((relay): a whole relay batch failed)',
    labelNames: ['pattern'],
    registers: [registry],
  });
  // One child per pattern, made once: a publish then costs an increment, not a label lookup.
  const bound = (counter: Counter<'pattern'>) => {
    const children = new Map<string, Counter.Internal>();
    return (pattern: string) => {
      let child = children.get(pattern);
      if (!child) children.set(pattern, (child = counter.labels(pattern)));
      child.inc();
    };
  };
  outbox.observe({ published: bound(relayed), failed: bound(failed) });

  // Both gauges of one scrape share one read; a failed read (database down) reports NaN, never a stale figure.
  let read: { at: number; backlog: Promise<OutboxBacklog | undefined> } | undefined;
  const backlog = () => {
    if (!read || performance.now() - read.at > 1000) read = { at: performance.now(), backlog: outbox.backlog().catch(() => undefined) };
    return read.backlog;
  };
  new Gauge({
    name: 'baecha_outbox_backlog_events',
    help: 'Events committed to the outbox and not yet published',
    registers: [registry],
    async collect() {
      this.set((await backlog())?.events ?? Number.NaN);
    },
  });
  new Gauge({
    name: 'baecha_outbox_oldest_event_age_seconds',
    help: 'How long the oldest unpublished event has waited (0 when none waits)',
    registers: [registry],
    async collect() {
      this.set((await backlog())?.oldestAgeSeconds ?? Number.NaN);
    },
  });
}
