import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '#config';

/** Waits between reconnection attempts: quick at first, at most 2 s, forever. */
const retryStrategy = (attempt: number) => Math.min(100 * attempt, 2000);

/**
 * This instance's connections to the Redis that dispatch instances share: one for commands, one subscribed to this
 * instance's channel and to the presence channel. Commands fail at once while Redis is away (no offline queue), so
 * callers degrade to this instance's own riders rather than wait; both connections retry forever, and `onReady`
 * callbacks run each time they are back (ioredis subscribes again by itself).
 */
@Injectable()
export class ClusterRedis implements OnApplicationShutdown {
  /** This process among the instances: new at each start, so a restarted instance is never taken for its old self. */
  readonly instanceId = `${process.pid.toString(36)}-${randomBytes(6).toString('base64url')}`;
  readonly commands: Redis;
  readonly subscriber: Redis;
  /** Keys and channels all start with this. */
  readonly prefix: string;
  private readonly logger = new Logger('cluster');
  private readonly readyCallbacks: Array<() => void> = [];
  private readonly lostCallbacks: Array<() => void> = [];
  private readonly closeCallbacks: Array<() => Promise<void>> = [];
  private readonly handlers = new Map<string, (message: string) => void>();
  private lastErrorLogged = 0;
  private closing = false;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const { redisUrl, keyPrefix } = config.dispatchCluster;
    this.prefix = `${keyPrefix}dispatch:`;
    const options = { retryStrategy, enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true };
    // A command in flight when the connection drops is not sent again: it may have run, and an event must not be numbered twice.
    this.commands = new Redis(redisUrl!, { ...options, autoResendUnfulfilledCommands: false, connectionName: `dispatch-${this.instanceId}` });
    this.subscriber = new Redis(redisUrl!, { ...options, connectionName: `dispatch-${this.instanceId}-sub` });
    for (const [name, connection] of [
      ['commands', this.commands],
      ['subscriber', this.subscriber],
    ] as const) {
      connection.on('error', (error: Error) => this.warn(`Redis ${name} connection: ${error.message}`));
      connection.on('ready', () => this.logger.log(`Redis ${name} connection ready`));
    }
    this.subscriber.on('message', (channel: string, message: string) => {
      try {
        this.handlers.get(channel)?.(message);
      } catch (error) {
        // Whatever comes on a channel, a bad message is dropped, never the process.
        this.warn(`dropped a message on ${channel}: ${(error as Error).message}`);
      }
    });
    // Subscribed on every (re)connection, whether or not Redis was there at start.
    this.subscriber.on('ready', () => void this.subscribe());
    this.commands.on('ready', () => {
      if (this.subscribed) this.readyCallbacks.forEach((callback) => callback());
    });
    this.subscriber.on('close', () => (this.subscribed = false));
    // Either connection lost means Redis is: what other instances know and send stops passing at once.
    for (const connection of [this.commands, this.subscriber]) {
      connection.on('close', () => {
        if (!this.closing) this.lostCallbacks.forEach((callback) => callback());
      });
    }
  }

  private subscribed = false;

  private async subscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(...this.handlers.keys());
      this.subscribed = true;
      if (this.connected) this.readyCallbacks.forEach((callback) => callback());
    } catch (error) {
      this.warn(`could not subscribe: ${(error as Error).message}`);
    }
  }

  /** Starts connecting; resolves once connected and subscribed, or at once if Redis is away (the connections keep trying). */
  async start(): Promise<void> {
    await Promise.allSettled([this.commands.connect(), this.subscriber.connect()]);
    if (this.subscriber.status === 'ready' && !this.subscribed) await this.subscribe();
  }

  /** `handle` gets every message on `channel` (subscribed at start, and again after each reconnection). */
  on(channel: string, handle: (message: string) => void): void {
    this.handlers.set(channel, handle);
  }

  /** Runs each time the subscription is (again) in place: after a start or an outage, to tell the others what they missed. */
  onReady(callback: () => void): void {
    this.readyCallbacks.push(callback);
  }

  /** Runs each time a connection to Redis closes while the instance runs (Redis is away): the others are out of reach. */
  onLost(callback: () => void): void {
    this.lostCallbacks.push(callback);
  }

  instanceChannel(instanceId: string): string {
    return `${this.prefix}instance:${instanceId}`;
  }

  get connected(): boolean {
    return this.commands.status === 'ready';
  }

  /** Connected for commands and subscribed: events and presence pass between instances. */
  get sharing(): boolean {
    return this.connected && this.subscribed && this.subscriber.status === 'ready';
  }

  /** At most one warning a second: an outage must not flood the log. */
  warn(message: string): void {
    const now = Date.now();
    if (now - this.lastErrorLogged < 1000) return;
    this.lastErrorLogged = now;
    this.logger.warn(message);
  }

  /** Runs once on shutdown, while the connections are still open: to say goodbye. */
  onClose(callback: () => Promise<void>): void {
    this.closeCallbacks.push(callback);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.closeCallbacks.map((callback) => callback()));
    this.closing = true;
    this.commands.disconnect();
    this.subscriber.disconnect();
  }
}
