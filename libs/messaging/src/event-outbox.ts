import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '#config';
import { CONSUMER_OF } from '#contracts';
import { addToOutbox, outboxBacklog, OutboxRelay, type OutboxBacklog, type OutboxMessage } from '#database';
import { Messaging } from './messaging.js';

/** Injection token: the schema whose outbox this service relays. */
export const OUTBOX_SCHEMA = Symbol('OUTBOX_SCHEMA');

/**
 * Injection token: a function giving the correlation id of the work in progress (the request that started it),
 * which events written now carry as `correlationId`. Provided by the platform's logging; optional.
 */
export const CORRELATION_ID = Symbol('CORRELATION_ID');

/** Told of each event the relay publishes and each publish that failed, by pattern (for metrics). */
export interface RelayObserver {
  published(pattern: string): void;
  failed(pattern: string): void;
}

/**
 * A service's outgoing events. `add` writes an event inside the caller's transaction; once that commits, the
 * relay publishes it at least once, in order. Call `poke` after the commit to send it at once.
 */
@Injectable()
export class EventOutbox implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('outbox');
  private readonly relay: OutboxRelay;
  private readonly observers: RelayObserver[] = [];

  constructor(
    private readonly dataSource: DataSource,
    messaging: Messaging,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(OUTBOX_SCHEMA) private readonly schema: string,
    @Optional() @Inject(CORRELATION_ID) private readonly correlationId: () => string | undefined = () => undefined,
  ) {
    this.relay = new OutboxRelay({
      dataSource,
      schema,
      pollIntervalMs: config.outbox.pollIntervalMs,
      coalesceMs: config.outbox.coalesceMs,
      batchSize: config.outbox.batchSize,
      maxInFlight: config.outbox.maxInFlight,
      publish: (message) => messaging.publish(message.pattern as keyof typeof CONSUMER_OF, message.payload),
      // One delivery's (or order's, or agency's) events must reach the consumer in order; different deliveries
      // are independent, so they are published side by side instead of queueing behind each other.
      orderingKey: entityKey,
      onError: (message, error) => {
        for (const observer of this.observers) observer.failed(message.pattern);
        this.logger.warn(`publishing ${message.pattern} ${message.eventId} failed, will retry: ${(error as Error)?.message ?? JSON.stringify(error)}`);
      },
      onPublished: (message) => {
        for (const observer of this.observers) observer.published(message.pattern);
      },
    });
  }

  /** Adds an observer of the relay's publishes. */
  observe(observer: RelayObserver): void {
    this.observers.push(observer);
  }

  /** The events waiting to be published and the age of the oldest (one statement on the outbox's partial index). */
  backlog(): Promise<OutboxBacklog> {
    return outboxBacklog(this.dataSource, this.schema);
  }

  /** Adds an event with a fresh id and time; returns the full payload as it will be published. */
  async add<T extends object>(manager: EntityManager, pattern: keyof typeof CONSUMER_OF, payload: T): Promise<T & { eventId: string; occurredAt: string }> {
    const message = this.prepare(pattern, payload);
    await addToOutbox(manager, this.schema, message);
    return message.payload;
  }

  /** Adds several events, each with a fresh id and time, in one statement; they are published in this order. */
  async addAll(manager: EntityManager, events: Array<{ pattern: keyof typeof CONSUMER_OF; payload: object }>): Promise<void> {
    await addToOutbox(manager, this.schema, ...events.map(({ pattern, payload }) => this.prepare(pattern, payload)));
  }

  /**
   * An event with a fresh id and time, not yet written: for a hot path that writes it with its state change in
   * one statement (`outboxInsertSql` from #database). Call `poke` after that commits. It carries the correlation
   * id of the work that wrote it, when there is one, so the consumer's log lines can name the same request.
   */
  prepare<T extends object>(pattern: keyof typeof CONSUMER_OF, payload: T): OutboxMessage<T & { eventId: string; occurredAt: string }> {
    return outboxMessage(pattern, payload, this.correlationId());
  }

  poke(): void {
    this.relay.poke();
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}

/** The entity an event is about: its delivery, else its order, else its agency, else the event alone. */
function entityKey(message: OutboxMessage): string {
  const payload = typeof message.payload === 'object' && message.payload !== null ? (message.payload as Record<string, unknown>) : {};
  const id = [payload.deliveryId, payload.orderId, payload.agencyId].find((value): value is string => typeof value === 'string' && value !== '');
  return id ?? message.eventId;
}

/** An event with a fresh id and time (and the correlation id of the work that wrote it), ready for `addToOutbox`. */
export function outboxMessage<T extends object>(pattern: keyof typeof CONSUMER_OF, payload: T, correlationId?: string): OutboxMessage<T & { eventId: string; occurredAt: string }> {
  const event = { eventId: randomUUID(), occurredAt: new Date().toISOString(), ...(correlationId ? { correlationId } : {}), ...payload };
  return { eventId: event.eventId, pattern, payload: event };
}
