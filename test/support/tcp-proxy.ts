import net from 'node:net';

type Pair = [client: net.Socket, upstream: net.Socket];

/**
 * A TCP proxy on the loopback that can go silent: `blackhole()` stops passing bytes either way while every
 * connection stays open to the client, as when a phone's network dies without a FIN or RST reaching either side (a
 * half-open connection). What the server sends then is read and dropped, so the server's own closing of a
 * connection is seen (`serverClosedAfterMs`) without the client learning of it. `blackhole('all')` is a partition:
 * new connections too are taken and never answered, until `restore()`.
 */
export class TcpProxy {
  private readonly server: net.Server;
  private readonly pairs = new Set<Pair>();
  private readonly silent = new Set<Pair>();
  private blackholedAt = 0;
  private refusing = false;
  private swallowing = false;
  private readonly swallowed = new Set<net.Socket>();
  /** For each connection the server closed after `blackhole()`, how long after it did. */
  readonly serverClosedAfterMs: number[] = [];

  private constructor(targetPort: number) {
    this.server = net.createServer((client) => {
      if (this.refusing) return client.destroy();
      if (this.swallowing) {
        this.swallowed.add(client);
        client.on('data', () => undefined).on('error', () => undefined).on('close', () => this.swallowed.delete(client));
        return;
      }
      const upstream = net.connect(targetPort, '127.0.0.1');
      const pair: Pair = [client, upstream];
      this.pairs.add(pair);
      client.pipe(upstream);
      upstream.pipe(client);
      const end = () => {
        this.pairs.delete(pair);
        this.silent.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      let closedByServer = false;
      const serverEnded = () => {
        // Silenced: the client is left to find out by itself.
        if (!this.silent.has(pair)) return end();
        if (!closedByServer) this.serverClosedAfterMs.push(Date.now() - this.blackholedAt);
        closedByServer = true;
        upstream.destroy();
      };
      client.on('error', end).on('close', end);
      upstream.on('error', serverEnded).on('close', serverEnded);
    });
  }

  static async start(targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetPort);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** A proxy to the server a URL names (on the loopback), and the same URL through it. */
  static async inFrontOf(url: string, defaultPort?: number): Promise<{ proxy: TcpProxy; url: string }> {
    const target = new URL(url);
    const proxy = await TcpProxy.start(Number(target.port || defaultPort));
    target.port = String(proxy.port);
    return { proxy, url: target.toString() };
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  /**
   * From now on nothing passes on the connections open now, and nothing is closed towards the client; with `all`,
   * new connections are taken and never answered either, until `restore()` (the open ones stay silent then).
   */
  blackhole(scope: 'open' | 'all' = 'open'): void {
    this.blackholedAt = Date.now();
    this.swallowing = scope === 'all';
    for (const pair of this.pairs) {
      const [client, upstream] = pair;
      this.silent.add(pair);
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.on('data', () => undefined);
      upstream.resume();
    }
  }

  /** The server is down, as when it restarts: every connection is closed, and new ones are closed at once until `restore()`. */
  down(): void {
    this.refusing = true;
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
  }

  /** The server, or the way to it, is back: new connections pass again. */
  restore(): void {
    this.refusing = false;
    this.swallowing = false;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    for (const client of this.swallowed) client.destroy();
    this.pairs.clear();
    this.silent.clear();
    this.swallowed.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
