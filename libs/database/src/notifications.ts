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

/** How often a listening connection is asked a `SELECT 1`, and how long it has to answer (see NotificationListener). */
export interface ListenerPing {
  everyMs: number;
  timeoutMs: number;
}

const PING: ListenerPing = { everyMs: 10_000, timeoutMs: 10_000 };
/** How long closing waits for the server's goodbye: a connection gone without a word never sends one. */
const CLOSE_MS = 1_000;

/** Ends the client, or, if the server has not answered within `ms`, closes its socket. */
async function endWithin(client: pg.Client, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  const ended = client.end().then(
    () => 'ended' as const,
    () => 'ended' as const,
  );
  if ((await Promise.race([ended, late])) === 'late') (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  clearTimeout(timer);
}

/**
 * LISTENs on one channel of the service's database on a connection of its own (not the pool's: a pooled connection
 * is handed to others), and subscribes again whenever that connection drops, with a wait that doubles up to 5 s.
 * A NOTIFY sent inside a transaction is delivered when it commits, and only to connections listening then.
 *
 * A listening connection only receives, so it would not learn that it is gone without a word (a partition, after
 * which PostgreSQL ends the session: see DEAD_CLIENT_SETTINGS) until the operating system's keepalive, hours later,
 * and meanwhile whatever is derived from its notifications would be taken as current. So it is asked a `SELECT 1`
 * every 10 s: one not answered within 10 s, or refused, drops it as lost, and it subscribes again.
 */
export class NotificationListener {
  private client: pg.Client | undefined;
  private retryMs = FIRST_RETRY_MS;
  private timer: NodeJS.Timeout | undefined;
  private pinger: NodeJS.Timeout | undefined;
  private closed = false;
  private connected = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly channel: string,
    private readonly handlers: NotificationHandlers,
    private readonly ping: ListenerPing = PING,
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
    clearInterval(this.pinger);
    const client = this.client;
    this.client = undefined;
    this.connected = false;
    if (client) await endWithin(client, CLOSE_MS);
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
      clearInterval(this.pinger);
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
    this.pinger = setInterval(() => {
      client.query({ text: 'SELECT 1', query_timeout: this.ping.timeoutMs } as pg.QueryConfig).catch(drop);
    }, this.ping.everyMs).unref();
    this.handlers.subscribed();
  }
}
