import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { FailureLimiter } from '#platform';

/**
 * The rider protocol's transport: a server for the Socket.IO protocol (v5, on Engine.IO v4) over WebSocket only,
 * with one namespace, on the `ws` package. Any socket.io client (v3 or v4) with `transports: ['websocket']`
 * talks to it as to a socket.io server: the handshake, the namespace's CONNECT with `auth` (CONNECT_ERROR with
 * its message when refused), events with and without acknowledgements, heartbeats, disconnects.
 *
 * Why not socket.io's own server: a rider connection held about 15 KB of heap there (engine.io, socket.io and
 * Nest's objects, the upgrade request kept for the connection's life), so 10,000 riders made a heap whose every
 * full collection took dispatch's event loop long enough to double order-to-offer latency; and every position
 * passed through four layers of parsing and dispatching. Here a connection is a WebSocket and one small object,
 * and a message is one JSON.parse. What is left out is what riders never use: long-polling and upgrades,
 * binary attachments, rooms beyond a rider's own devices, other namespaces, connection state recovery.
 */
/** A refused CONNECT: the client's `connect_error` gets `message` and, when given, `data`. */
export interface Refusal {
  refused: string;
  data?: Record<string, unknown>;
  wrongCredentials?: boolean;
}

export interface RiderSocketServerOptions<S> {
  /** The Engine.IO path, `/socket.io/` as socket.io clients default to. */
  path: string;
  /** The one namespace, e.g. `/riders`. */
  namespace: string;
  /**
   * Decides a namespace CONNECT from its `auth`: the session to keep on the socket, or the refusal's message
   * (`wrongCredentials` when it counts as a guess, not when the credentials could not be checked).
   */
  authenticate(auth: unknown): Promise<{ session: S } | Refusal>;
  /** A socket joined the namespace (its CONNECT was answered). */
  connected(socket: RiderSocket<S>): void;
  /** A joined socket left (the client disconnected, the connection dropped, a heartbeat was missed). */
  disconnected(socket: RiderSocket<S>): void;
  /** An event from a joined socket; `ack` answers it when the client asked for an answer. */
  message(socket: RiderSocket<S>, event: string, body: unknown, ack: ((reply: unknown) => void) | undefined): void;
  /** A connection from which nothing has arrived for this long is pinged (see Heartbeat). */
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  /** Every connection is pinged at least this often, however much it says (see Heartbeat); `pingIntervalMs` unless given. */
  keepaliveIntervalMs?: number;
  /** Largest message accepted, in bytes (socket.io's maxHttpBufferSize). */
  maxPayload?: number;
  /** How long a connection may stay without joining the namespace (socket.io's connectTimeout). */
  connectTimeoutMs?: number;
  /** Limits on guessing credentials; without it, none. */
  throttle?: RiderSocketThrottle;
  /** Most connections open at once; at it the oldest that has not joined makes room, or the upgrade gets 503. */
  maxConnections?: number;
}

/**
 * A connection is closed after `failuresPerConnection` refused CONNECTs with wrong credentials. A client address
 * past its limit (`perAddress`, keyed by `clientKey` of the upgrade request) has its CONNECTs refused with
 * TOO_MANY_ATTEMPTS and how many seconds to wait, which an app can show, and each of those counts as a failure
 * too; one that keeps trying past `upgradesRefusedAfter` failures has its upgrades refused with HTTP 429.
 */
export interface RiderSocketThrottle {
  failuresPerConnection: number;
  perAddress: FailureLimiter;
  upgradesRefusedAfter: number;
  clientKey(request: IncomingMessage): string;
}

/** The CONNECT_ERROR payload (and upgrade refusal body) of a client address that must wait. */
const tooManyAttempts = (retryAfterSeconds: number) => ({ message: 'TOO_MANY_ATTEMPTS', data: { retryAfterSeconds } });

/**
 * How a server knows its connections are alive, and lets its clients know it is. Anything that arrives on a
 * connection shows it alive, so a connection is pinged only once it has been silent for `intervalMs`, and closed
 * if the pong does not come within `timeoutMs`: a connection that died without closing is noticed within about
 * their sum. A rider reporting its position every few seconds is thus hardly ever pinged for the server's sake.
 * The client needs pings of its own (socket.io's client takes a server silent for its announced interval plus the
 * timeout as gone), so every connection is also pinged at least every `keepaliveMs`, the interval the handshake
 * announces.
 */
export interface Heartbeat {
  intervalMs: number;
  timeoutMs: number;
  keepaliveMs: number;
}

/** One client connection, once it joined the namespace. */
export class RiderSocket<S> {
  /** True from the namespace's CONNECT until the connection ends. */
  connected = false;
  /** Heartbeats: when the client's next ping is due, until when its pong may take (0 while none is awaited), when anything last arrived. */
  nextPingAt = 0;
  pongBy = 0;
  heardAt = 0;
  session?: S;
  /** Closes the connection if it has not joined the namespace in time. */
  joinBy?: NodeJS.Timeout;
  /** A CONNECT is being checked: another one meanwhile is ignored, so guesses cannot be pipelined. */
  joining = false;
  /** CONNECTs refused for wrong credentials on this connection. */
  failures = 0;

  constructor(
    readonly id: string,
    private readonly ws: WebSocket,
    private readonly namespace: string,
    private readonly heartbeat: Heartbeat,
    /** The TCP connection under `ws`, corked to send two frames in one write. */
    private readonly stream?: Duplex,
    /** The client address its failures count against (see RiderSocketThrottle). */
    readonly clientKey = '',
  ) {}

  /** Sends an event (no acknowledgement asked), with `meta` as its second argument if given. Dropped once the connection is gone. */
  emit(event: string, payload: unknown, meta?: object): void {
    if (this.connected) this.send(`42${this.namespace},${JSON.stringify(meta ? [event, payload, meta] : [event, payload])}`);
  }

  /** Ends the connection from the server's side: the client sees `disconnect` ("io server disconnect"). */
  disconnect(): void {
    if (this.connected) this.send(`41${this.namespace},`);
    this.ws.close();
  }

  /** False once either side began closing the connection. */
  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  /**
   * A raw Engine.IO packet (already framed as text). A joined connection's keepalive ping due within half an
   * interval goes out with it, in the same write: at 10,000 riders a ping of its own is a system call as dear as
   * the packet it can ride with (the client only needs a ping at least every interval; a sooner one is as good).
   */
  send(packet: string): void {
    if (!this.open) return;
    const now = Date.now();
    if (!this.connected || this.pongBy !== 0 || now < this.nextPingAt - this.heartbeat.keepaliveMs / 2) {
      this.ws.send(packet);
      return;
    }
    this.stream?.cork();
    this.ws.send(packet);
    this.ping(now);
    this.stream?.uncork();
  }

  /** Sends a ping; its pong is due within the heartbeat's timeout. */
  ping(now: number): void {
    this.ws.send('2');
    this.nextPingAt = now + this.heartbeat.keepaliveMs;
    this.pongBy = now + this.heartbeat.timeoutMs;
  }

  /** Whether a ping is due: the client's keepalive, or a check on a connection silent for an interval. */
  pingDue(now: number): boolean {
    return this.pongBy === 0 && (now >= this.nextPingAt || now - this.heardAt >= this.heartbeat.intervalMs);
  }

  /** Closes the connection once what was sent has left (`close` drops it at once). */
  end(): void {
    this.ws.close();
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Answers an upgrade request with an HTTP error and closes the connection. */
function refuse(socket: Duplex, status: number, reason: string, body: object, headers = ''): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\n${headers}Connection: close\r\n\r\n${JSON.stringify(body)}`);
}

/** socket.io's ids: 20 URL-safe characters. */
const newId = () => randomBytes(15).toString('base64url');

export class RiderSocketServer<S> {
  private readonly wss: WebSocketServer;
  /** Every open connection, joined or not, for heartbeats and shutdown. */
  private readonly sockets = new Set<RiderSocket<S>>();
  private heartbeat?: NodeJS.Timeout;

  constructor(private readonly options: RiderSocketServerOptions<S>) {
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false, maxPayload: this.maxPayload });
  }

  private get pingIntervalMs() {
    return this.options.pingIntervalMs ?? 25_000;
  }

  private get pingTimeoutMs() {
    return this.options.pingTimeoutMs ?? 20_000;
  }

  private get keepaliveIntervalMs() {
    return this.options.keepaliveIntervalMs ?? this.pingIntervalMs;
  }

  private get maxPayload() {
    return this.options.maxPayload ?? 1_000_000;
  }

  /**
   * Takes the HTTP server's WebSocket upgrades: those on `path` for Engine.IO v4's WebSocket transport. Any other
   * upgrade is refused with an HTTP error rather than left open, as nothing else on the server takes upgrades.
   * (A long-polling request is a plain HTTP request, which the HTTP server answers 404.)
   */
  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(request.url ?? '/', 'http://local');
      if (url.pathname !== this.options.path) return refuse(socket, 404, 'Not Found', { message: `no WebSocket endpoint at ${url.pathname}` });
      if (url.searchParams.get('EIO') !== '4' || url.searchParams.get('transport') !== 'websocket') {
        return refuse(socket, 400, 'Bad Request', { code: 3, message: 'Bad request: WebSocket transport and Engine.IO v4 only' });
      }
      const clientKey = this.options.throttle?.clientKey(request) ?? '';
      const wait = this.retryAfterSeconds(clientKey, this.options.throttle?.upgradesRefusedAfter);
      if (wait > 0) return refuse(socket, 429, 'Too Many Requests', tooManyAttempts(wait), `Retry-After: ${wait}\r\n`);
      if (!this.hasRoom()) return refuse(socket, 503, 'Service Unavailable', { message: 'too many rider connections; retry later' }, 'Retry-After: 5\r\n');
      this.wss.handleUpgrade(request, socket, head, (ws) => this.open(ws, socket, clientKey));
    });
    // One timer for every connection's heartbeat rather than one per connection.
    this.heartbeat = setInterval(() => this.beat(), Math.min(500, this.pingIntervalMs / 4, this.keepaliveIntervalMs / 4));
    this.heartbeat.unref();
  }

  /**
   * Room for one more connection: below the cap, or once the oldest connection that has not joined the namespace is
   * closed (a joined rider is never dropped for a newcomer).
   */
  private hasRoom(): boolean {
    if (this.sockets.size < (this.options.maxConnections ?? Infinity)) return true;
    for (const socket of this.sockets) {
      if (socket.connected) continue;
      this.sockets.delete(socket);
      socket.close();
      return true;
    }
    return false;
  }

  /** The connections that joined the namespace, with their sessions. */
  joined(): Array<RiderSocket<S> & { session: S }> {
    return [...this.sockets].filter((socket): socket is RiderSocket<S> & { session: S } => socket.connected && socket.session !== undefined);
  }

  /** Closes every connection (their clients reconnect to whichever instance comes up). */
  close(): void {
    clearInterval(this.heartbeat);
    for (const socket of this.sockets) socket.close();
    this.sockets.clear();
  }

  /** Seconds the client address must wait before trying again; 0 when it may now. */
  private retryAfterSeconds(clientKey: string, allowed?: number): number {
    const throttle = this.options.throttle;
    return throttle ? Math.ceil(throttle.perAddress.retryAfterMs(clientKey, allowed) / 1000) : 0;
  }

  private open(ws: WebSocket, stream: Duplex, clientKey: string): void {
    const heartbeat = { intervalMs: this.pingIntervalMs, timeoutMs: this.pingTimeoutMs, keepaliveMs: this.keepaliveIntervalMs };
    const socket = new RiderSocket<S>(newId(), ws, this.options.namespace, heartbeat, stream, clientKey);
    this.sockets.add(socket);
    socket.heardAt = Date.now();
    socket.nextPingAt = socket.heardAt + heartbeat.keepaliveMs;
    socket.send(`0${JSON.stringify({ sid: newId(), upgrades: [], pingInterval: heartbeat.keepaliveMs, pingTimeout: heartbeat.timeoutMs, maxPayload: this.maxPayload })}`);
    socket.joinBy = setTimeout(() => socket.close(), this.options.connectTimeoutMs ?? 45_000);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      // Binary frames carry attachments, which riders never send.
      if (isBinary) return socket.close();
      socket.heardAt = Date.now();
      this.packet(socket, data.toString());
    });
    ws.on('close', () => {
      clearTimeout(socket.joinBy);
      this.sockets.delete(socket);
      if (!socket.connected) return;
      socket.connected = false;
      this.options.disconnected(socket);
    });
    ws.on('error', () => socket.close());
  }

  /** One Engine.IO packet: `3` pong, `4` a socket.io packet, `1` close; anything else is ignored. */
  private packet(socket: RiderSocket<S>, frame: string): void {
    switch (frame[0]) {
      case '3':
        socket.pongBy = 0;
        return;
      case '4':
        return this.socketIoPacket(socket, frame.slice(1));
      case '1':
        return socket.close();
    }
  }

  /** A socket.io packet: `<type>[<namespace>,][<ack id>][<JSON>]`. A malformed one ends the connection, as in socket.io. */
  private socketIoPacket(socket: RiderSocket<S>, text: string): void {
    const type = text[0];
    let rest = text.slice(1);
    let namespace = '/';
    if (rest.startsWith('/')) {
      const comma = rest.indexOf(',');
      namespace = comma < 0 ? rest : rest.slice(0, comma);
      rest = comma < 0 ? '' : rest.slice(comma + 1);
    }
    const digits = /^\d*/.exec(rest)![0];
    const ackId = digits === '' ? undefined : Number(digits);
    let data: unknown;
    try {
      data = rest.length > digits.length ? JSON.parse(rest.slice(digits.length)) : undefined;
    } catch {
      return socket.close();
    }
    if (namespace !== this.options.namespace) {
      if (type === '0') socket.send(`44${namespace},${JSON.stringify({ message: 'Invalid namespace' })}`);
      return;
    }
    switch (type) {
      case '0':
        return this.join(socket, data);
      case '1':
        return socket.close();
      case '2':
        if (!socket.connected || !Array.isArray(data) || typeof data[0] !== 'string') return;
        return this.options.message(
          socket,
          data[0],
          data[1],
          ackId === undefined ? undefined : (reply) => socket.send(`43${this.options.namespace},${ackId}${JSON.stringify([reply])}`),
        );
    }
  }

  /** A namespace CONNECT: authenticated, answered with the socket's id, then handed on; or refused with a message. */
  private join(socket: RiderSocket<S>, auth: unknown): void {
    if (socket.connected || socket.joining || !socket.open) return;
    const { namespace, throttle } = this.options;
    const wait = this.retryAfterSeconds(socket.clientKey);
    if (wait > 0) {
      throttle!.perAddress.fail(socket.clientKey);
      socket.send(`44${namespace},${JSON.stringify(tooManyAttempts(wait))}`);
      return socket.end();
    }
    socket.joining = true;
    this.options.authenticate(auth).then(
      (outcome) => {
        socket.joining = false;
        if (!this.sockets.has(socket)) return;
        if ('refused' in outcome) {
          socket.send(`44${namespace},${JSON.stringify({ message: outcome.refused, ...(outcome.data ? { data: outcome.data } : {}) })}`);
          if (!outcome.wrongCredentials || !throttle) return;
          throttle.perAddress.fail(socket.clientKey);
          if (++socket.failures >= throttle.failuresPerConnection) socket.end();
          return;
        }
        clearTimeout(socket.joinBy);
        socket.session = outcome.session;
        socket.connected = true;
        socket.send(`40${namespace},${JSON.stringify({ sid: socket.id })}`);
        this.options.connected(socket);
      },
      () => {
        socket.joining = false;
        socket.send(`44${namespace},${JSON.stringify({ message: 'UNAVAILABLE' })}`);
      },
    );
  }

  /** Pings the connections whose ping is due and closes those whose pong did not come in time. */
  private beat(): void {
    const now = Date.now();
    for (const socket of this.sockets) {
      if (socket.pongBy !== 0 && now > socket.pongBy) {
        socket.close();
      } else if (socket.open && socket.pingDue(now)) {
        socket.ping(now);
      }
    }
  }
}
