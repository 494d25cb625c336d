import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, type Registry } from 'prom-client';
import { METRICS_REGISTRY, type ErrorCode } from '#platform';
import { CallbacksRepository, type CallbackBacklog } from '../callbacks/callbacks.repository.js';

/**
 * Order intake as Prometheus sees it (docs/observability.md): orders by outcome (accepted, a duplicate answered
 * with the first answer, refused with its error code) and the status callbacks not yet delivered, by state,
 * counted when scraped.
 */
@Injectable()
export class IntakeMetrics {
  private readonly orders: Counter<'outcome' | 'code'>;
  private readonly accepted: Counter.Internal;
  private readonly duplicate: Counter.Internal;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry, callbacks: CallbacksRepository) {
    this.orders = new Counter({
      name: 'baecha_intake_orders_total',
      help: 'Order webhooks by outcome: accepted (a new order), duplicate (a redelivery or the same order again, given the first answer), refused (code: the error answered)',
      labelNames: ['outcome', 'code'],
      registers: [registry],
    });
    this.accepted = this.orders.labels('accepted', '');
    this.duplicate = this.orders.labels('duplicate', '');
    new Gauge({
      name: 'baecha_intake_callbacks_backlog',
      help: 'Status callbacks not delivered, by state: queued (not tried yet), retrying (after a failed try), undeliverable (given up until the restaurant retries)',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        const backlog: CallbackBacklog | undefined = await callbacks.backlog().catch(() => undefined);
        for (const state of ['queued', 'retrying', 'undeliverable'] as const) this.set({ state }, backlog?.[state] ?? Number.NaN);
      },
    });
  }

  orderAccepted(): void {
    this.accepted.inc();
  }

  orderDuplicate(): void {
    this.duplicate.inc();
  }

  /** An order refused; `code` is one of the service's error codes (or INTERNAL), never a value from the request. */
  orderRefused(code: ErrorCode | 'INTERNAL'): void {
    this.orders.inc({ outcome: 'refused', code });
  }
}
