import pg from 'pg';
import type { DataSource } from 'typeorm';
import { poolOf } from './pipeline.js';

export interface NotificationHandlers {
  /** A notification on the channel, with its payload. */
  notified(payload: string): void;
  /** LISTEN is in place (again): anything sent while it was not is lost, so whatever was derived from it is stale. */
  subscribed(): void;
  /** The connection is gone; nothing is heard until `subscribed` is called again. */
  lost(error: unknown): void;
}

const FIRST_RETRY_MS = 100;
const LAST_RETRY_MS = 5_000;

/**
 * LISTENs on one channel of the service's database on a connection of its own (not the pool's: a pooled connection
 * is handed to others), and subscribes again whenever that connection drops, with a wait that doubles up to 5 s.
 * A NOTIFY sent inside a transaction is delivered when it commits, and only to connections listening then.
 */
export class NotificationListener {
  private client: pg.Client | undefined;
  private retryMs = FIRST_RETRY_MS;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private connected = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly channel: string,
    private readonly handlers: NotificationHandlers,
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a plain channel name: ${channel}`);
  }

  /** Whether LISTEN is in place now. */
  get listening(): boolean {
    return this.connected;
  }

  start(): void {
    this.closed = false;
    void this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    this.connected = false;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const options = poolOf(this.dataSource).options as pg.ClientConfig;
    // Its own name, so it can be told apart (and ended, in tests) among the service's connections.
    const client = new pg.Client({ ...options, application_name: `${options.application_name ?? 'baecha'}-listen`, keepAlive: true });
    this.client = client;
    let gone = false;
    const drop = (error: unknown) => {
      if (gone) return;
      gone = true;
      const wasConnected = this.connected;
      if (this.client === client) {
        this.client = undefined;
        this.connected = false;
      }
      client.end().catch(() => undefined);
      if (this.closed) return;
      if (wasConnected) this.handlers.lost(error);
      this.timer = setTimeout(() => void this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, LAST_RETRY_MS);
    };
    client.on('error', drop);
    client.on('end', () => drop(new Error('connection ended')));
    client.on('notification', (message) => {
      if (message.channel === this.channel) this.handlers.notified(message.payload ?? '');
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch (error) {
      drop(error);
      return;
    }
    if (gone || this.closed) {
      if (this.closed) await client.end().catch(() => undefined);
      return;
    }
    this.connected = true;
    this.retryMs = FIRST_RETRY_MS;
    this.handlers.subscribed();
  }
}
