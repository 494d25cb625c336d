import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '#config';
import { CONSUMER_OF } from '#contracts';
import { addToOutbox, OutboxRelay, type OutboxMessage } from '#database';
import { Messaging } from './messaging.js';

/** Injection token: the schema whose outbox this service relays. */
export const OUTBOX_SCHEMA = Symbol('OUTBOX_SCHEMA');

/**
 * A service's outgoing events. `add` writes an event inside the caller's transaction; once that commits, the
 * relay publishes it at least once, in order. Call `poke` after the commit to send it at once.
 */
@Injectable()
export class EventOutbox implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('outbox');
  private readonly relay: OutboxRelay;

  constructor(
    dataSource: DataSource,
    messaging: Messaging,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(OUTBOX_SCHEMA) private readonly schema: string,
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
      onError: (message, error) =>
        this.logger.warn(`publishing ${message.pattern} ${message.eventId} failed, will retry: ${(error as Error)?.message ?? JSON.stringify(error)}`),
    });
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
   * one statement (`outboxInsertSql` from #database). Call `poke` after that commits.
   */
  prepare<T extends object>(pattern: keyof typeof CONSUMER_OF, payload: T): OutboxMessage<T & { eventId: string; occurredAt: string }> {
    const event = { eventId: randomUUID(), occurredAt: new Date().toISOString(), ...payload };
    return { eventId: event.eventId, pattern, payload: event };
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
