import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

interface Connection {
  socket: Socket;
  /** When it last changed: connected, a request began, or a response ended. */
  since: number;
  /** The request in progress on it, if any. */
  request?: IncomingMessage;
  response?: ServerResponse;
}

export interface ConnectionCapOptions {
  /** Most HTTP connections open at once; 0: no cap. */
  maxConnections: number;
  /** A connection sending nothing, or still sending its request, after this long may be closed to make room. */
  slowClientMs: number;
  /** Closes a connection whose request is still arriving (answering it first if it can). */
  drop(socket: Socket, response: ServerResponse | undefined): void;
  now?: () => number;
}

/**
 * Caps a server's HTTP connections so that slow or idle clients cannot use up the process's file descriptors.
 * At the cap a new connection is not refused while an old one is wasting its place: the connection idle or still
 * sending its request for the longest (past `slowClientMs`) is closed to make room. Only when every connection is
 * busy with a request being worked on is the new one closed at once. WebSocket connections leave the count when
 * they upgrade (dispatch caps rider sockets on their own).
 */
export class ConnectionCap {
  /** Oldest change first: every change moves a connection to the end. */
  private readonly connections = new Map<Socket, Connection>();
  private readonly now: () => number;
  private refusedCount = 0;
  private evictedCount = 0;

  constructor(private readonly options: ConnectionCapOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  /** The cap (0: none). */
  get limit(): number {
    return this.options.maxConnections;
  }

  /** HTTP connections open now. */
  get open(): number {
    return this.connections.size;
  }

  /** New connections closed at once since start, as every place was busy. */
  get refused(): number {
    return this.refusedCount;
  }

  /** Idle or slow connections closed to make room since start. */
  get evicted(): number {
    return this.evictedCount;
  }

  attach(server: Server): void {
    server.on('connection', (socket: Socket) => this.opened(socket));
    server.on('request', (request: IncomingMessage, response: ServerResponse) => this.requestStarted(request, response));
    // Listened for only once something takes upgrades (dispatch's rider sockets): any 'upgrade' listener makes Node
    // hand upgrade requests over instead of answering them as plain requests (an h2c upgrade attempt, say).
    const forget = (_request: IncomingMessage, socket: Socket) => this.connections.delete(socket);
    if (server.listenerCount('upgrade') > 0) {
      server.on('upgrade', forget);
      return;
    }
    const watch = (event: string | symbol) => {
      if (event !== 'upgrade') return;
      server.off('newListener', watch);
      server.on('upgrade', forget);
    };
    server.on('newListener', watch);
  }

  private opened(socket: Socket): void {
    const { maxConnections } = this.options;
    if (maxConnections > 0 && this.connections.size >= maxConnections && !this.makeRoom()) {
      this.refusedCount++;
      socket.destroy();
      return;
    }
    this.connections.set(socket, { socket, since: this.now() });
    socket.once('close', () => this.connections.delete(socket));
  }

  private requestStarted(request: IncomingMessage, response: ServerResponse): void {
    const connection = this.connections.get(request.socket);
    if (!connection) return;
    this.touch(connection, request, response);
    response.once('close', () => {
      if (connection.request === request && this.connections.has(connection.socket)) this.touch(connection, undefined, undefined);
    });
  }

  private touch(connection: Connection, request: IncomingMessage | undefined, response: ServerResponse | undefined): void {
    connection.request = request;
    connection.response = response;
    connection.since = this.now();
    this.connections.delete(connection.socket);
    this.connections.set(connection.socket, connection);
  }

  /** Closes the connection idle or slow for the longest, past slowClientMs; false when there is none. */
  private makeRoom(): boolean {
    const slowSince = this.now() - this.options.slowClientMs;
    for (const connection of this.connections.values()) {
      if (connection.since > slowSince) return false;
      // A request whose body has all arrived is being worked on: never dropped.
      if (connection.request?.complete) continue;
      this.connections.delete(connection.socket);
      this.evictedCount++;
      if (connection.request) this.options.drop(connection.socket, connection.response);
      else connection.socket.destroy();
      return true;
    }
    return false;
  }
}
