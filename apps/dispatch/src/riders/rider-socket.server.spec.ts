import { afterEach, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { io, type Socket as ClientSocket } from 'socket.io-client';
import WebSocket from 'ws';
import { FailureLimiter } from '../../../../libs/platform/src/failure-limiter.js';
import { RiderSocketServer, type RiderSocket } from './rider-socket.server.js';

/**
 * The protocol edge of RiderSocketServer, on a bare HTTP server: what socket.io clients see (they are what riders
 * run), and what a client that breaks the protocol gets. The gateway's behaviour is in the component specs.
 */
describe('RiderSocketServer', () => {
  let server: http.Server;
  let sut: RiderSocketServer<{ riderId: string }>;
  let url: string;
  /** What the server was told, this test's server only: a previous test's sockets may still be closing. */
  let events: string[] = [];
  const clients: Array<ClientSocket | WebSocket> = [];

  /** Failures per client address (the peer's, here), shared by the tests that start a server with `throttle`. */
  let limiter: FailureLimiter;

  const start = async (options: { pingIntervalMs?: number; pingTimeoutMs?: number; keepaliveIntervalMs?: number; connectTimeoutMs?: number; throttle?: { perAddress: number } } = {}) => {
    const perAddress = options.throttle?.perAddress ?? 1000;
    limiter = new FailureLimiter({ limit: perAddress, keep: 2 * perAddress, windowMs: 60_000 });
    const log: string[] = (events = []);
    server = http.createServer((_request, response) => response.writeHead(404).end());
    sut = new RiderSocketServer<{ riderId: string }>({
      path: '/socket.io/',
      namespace: '/riders',
      ...options,
      throttle: options.throttle && {
        failuresPerConnection: 3,
        perAddress: limiter,
        upgradesRefusedAfter: 2 * options.throttle.perAddress,
        clientKey: (request) => request.socket.remoteAddress ?? '',
      },
      authenticate: async (auth) => {
        const token = (auth as { token?: unknown } | undefined)?.token;
        if (token === 'broken') throw new Error('database down');
        return token === 'good' ? { session: { riderId: 'r1' } } : { refused: 'UNAUTHENTICATED', wrongCredentials: true };
      },
      connected: (socket) => {
        log.push(`connected ${socket.session!.riderId}`);
        socket.emit('presence', { state: 'online' });
      },
      disconnected: (socket) => log.push(`disconnected ${socket.session!.riderId}`),
      message: (socket: RiderSocket<{ riderId: string }>, event, body, ack) => {
        log.push(`${event} ${JSON.stringify(body)}`);
        if (event === 'kick') socket.disconnect();
        else ack?.({ ok: true, echo: body });
      },
    });
    sut.attach(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  const client = (token: unknown, options: Partial<Parameters<typeof io>[1]> = {}) => {
    const socket = io(`${url}/riders`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true, ...options });
    clients.push(socket);
    return socket;
  };

  const raw = (query = 'EIO=4&transport=websocket', localAddress?: string) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/socket.io/?${query}`, { localAddress });
    clients.push(ws);
    const frames: string[] = [];
    ws.on('message', (data) => frames.push(data.toString()));
    const closed = new Promise<void>((resolve) => ws.on('close', () => resolve()));
    return { ws, frames, closed, opened: new Promise<void>((resolve, reject) => (ws.on('open', () => resolve()), ws.on('error', reject))) };
  };

  const until = async (check: () => boolean, ms = 3000) => {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  afterEach(async () => {
    for (const c of clients.splice(0)) (c instanceof WebSocket ? c.terminate() : c.disconnect());
    sut?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('lets a socket.io client connect with its auth, exchange events and acks, and hears it leave', async () => {
    await start();
    const socket = client('good');
    const presence = new Promise((resolve) => socket.once('presence', resolve));
    await new Promise((resolve, reject) => (socket.once('connect', () => resolve(undefined)), socket.once('connect_error', reject)));
    expect(socket.id).toMatch(/^[\w-]{20}$/);
    await expect(presence).resolves.toEqual({ state: 'online' });

    await expect(socket.emitWithAck('location', { lng: 126.978, lat: 37.5665 })).resolves.toEqual({ ok: true, echo: { lng: 126.978, lat: 37.5665 } });
    await expect(socket.emitWithAck('heartbeat')).resolves.toEqual({ ok: true });
    socket.emit('noAck', 1);
    await until(() => events.includes('noAck 1'));

    socket.disconnect();
    await until(() => events.includes('disconnected r1'));
    expect(events).toEqual(['connected r1', 'location {"lng":126.978,"lat":37.5665}', 'heartbeat undefined', 'noAck 1', 'disconnected r1']);
  });

  it.each([
    ['an unknown token', 'nope', 'UNAUTHENTICATED'],
    ['a token that cannot be checked now', 'broken', 'UNAVAILABLE'],
  ])('refuses %s with connect_error and its message, and never calls it connected', async (_name, token, message) => {
    await start();
    const error = await new Promise<Error>((resolve) => client(token).once('connect_error', resolve));
    expect(error.message).toBe(message);
    expect(events).toEqual([]);
  });

  it('disconnects a socket from the server side as socket.io does', async () => {
    await start();
    const socket = client('good');
    await new Promise((resolve) => socket.once('connect', () => resolve(undefined)));
    const reason = new Promise((resolve) => socket.once('disconnect', resolve));
    socket.emit('kick');
    await expect(reason).resolves.toBe('io server disconnect');
    await until(() => events.includes('disconnected r1'));
  });

  it('answers the handshake as Engine.IO v4 and refuses other namespaces', async () => {
    await start();
    const { ws, frames, opened } = raw();
    await opened;
    await until(() => frames.length === 1);
    expect(JSON.parse(frames[0]!.slice(1))).toEqual({ sid: expect.stringMatching(/^[\w-]{20}$/), upgrades: [], pingInterval: 25_000, pingTimeout: 20_000, maxPayload: 1_000_000 });
    ws.send('40/admin,');
    await until(() => frames.length === 2);
    expect(frames[1]).toBe('44/admin,{"message":"Invalid namespace"}');
  });

  it('refuses long-polling and another Engine.IO version with HTTP 400', async () => {
    await start();
    for (const query of ['EIO=4&transport=polling', 'EIO=3&transport=websocket']) {
      const { opened } = raw(query);
      await expect(opened).rejects.toThrow(/400/);
    }
  });

  it('refuses a WebSocket upgrade anywhere else with HTTP 404 rather than leaving it open', async () => {
    await start();
    const ws = new WebSocket(`${url.replace('http', 'ws')}/elsewhere`);
    clients.push(ws);
    await expect(new Promise((resolve, reject) => (ws.on('open', resolve), ws.on('error', reject)))).rejects.toThrow(/404/);
  });

  it('ends the connection on a malformed packet or a binary frame, as a socket.io server does', async () => {
    await start();
    for (const send of [(ws: WebSocket) => ws.send('42/riders,["location",{'), (ws: WebSocket) => ws.send(Buffer.from([1, 2, 3]))]) {
      const { ws, closed, opened } = raw();
      await opened;
      ws.send('40/riders,{"token":"good"}');
      await until(() => events.includes('connected r1'));
      send(ws);
      await closed;
      await until(() => events.includes('disconnected r1'));
      events.length = 0;
    }
  });

  it('pings, and closes a connection whose pong does not come in time', async () => {
    await start({ pingIntervalMs: 100, pingTimeoutMs: 100 });
    const { ws, frames, closed, opened } = raw();
    await opened;
    ws.send('40/riders,{"token":"good"}');
    await until(() => frames.includes('2'));
    // Answered once, then silent: the next ping goes unanswered.
    ws.send('3');
    await until(() => frames.filter((frame) => frame === '2').length === 2);
    await closed;
    await until(() => events.includes('disconnected r1'));
  });

  it('pings a connection only once it falls silent, and every one at its keepalive, the interval its handshake announces', async () => {
    await start({ pingIntervalMs: 800, pingTimeoutMs: 800, keepaliveIntervalMs: 60_000 });
    const { ws, frames, closed, opened } = raw();
    await opened;
    expect(JSON.parse(frames[0]!.slice(1))).toMatchObject({ pingInterval: 60_000, pingTimeout: 800 });
    ws.send('40/riders,{"token":"good"}');
    await until(() => frames.some((frame) => frame.startsWith('40/riders,')));
    // A rider that keeps reporting is alive by what it sends: no ping, for twice the interval.
    for (let i = 0; i < 16; i++) {
      ws.send('42/riders,["location",1]');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(frames).not.toContain('2');
    // Silent, it is pinged; answered, it stays; silent again and unanswered, it is closed.
    await until(() => frames.includes('2'));
    ws.send('3');
    await until(() => frames.filter((frame) => frame === '2').length === 2);
    await closed;
    await until(() => events.includes('disconnected r1'));
  });

  it('pings every connection at its keepalive, however long a silence it is allowed, so its client knows the server is there', async () => {
    await start({ pingIntervalMs: 60_000, pingTimeoutMs: 60_000, keepaliveIntervalMs: 300 });
    const { ws, frames, opened } = raw();
    await opened;
    ws.send('40/riders,{"token":"good"}');
    await until(() => frames.some((frame) => frame.startsWith('40/riders,')));
    await until(() => frames.includes('2'));
    ws.send('3');
    await until(() => frames.filter((frame) => frame === '2').length === 2);
  });

  it('sends a ping due within half an interval with the next packet instead of on its own', async () => {
    await start({ pingIntervalMs: 4000, pingTimeoutMs: 4000 });
    const { ws, frames, opened } = raw();
    await opened;
    ws.send('40/riders,{"token":"good"}');
    await until(() => frames.some((frame) => frame.startsWith('40/riders,')));
    // Past half the interval, long before the heartbeat's own ping (4 s after connecting): the answer brings it.
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect(frames).not.toContain('2');
    ws.send('42/riders,7["location",1]');
    await until(() => frames.includes('43/riders,7[{"ok":true,"echo":1}]'));
    const answer = frames.indexOf('43/riders,7[{"ok":true,"echo":1}]');
    expect(frames.slice(answer)).toEqual(['43/riders,7[{"ok":true,"echo":1}]', '2']);
  });

  it('keeps a socket.io client that answers its pings', async () => {
    await start({ pingIntervalMs: 50, pingTimeoutMs: 100 });
    const socket = client('good');
    await new Promise((resolve) => socket.once('connect', () => resolve(undefined)));
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(socket.connected).toBe(true);
    await expect(socket.emitWithAck('location', 1)).resolves.toEqual({ ok: true, echo: 1 });
  });

  it('closes a connection that never joins the namespace', async () => {
    await start({ connectTimeoutMs: 100 });
    const { closed, opened } = raw();
    await opened;
    await closed;
    expect(events).toEqual([]);
  });

  /** A raw connection that sends CONNECTs one at a time; `connect` resolves with the server's answer to one. */
  async function rawRider(localAddress?: string) {
    const connection = raw(undefined, localAddress);
    await connection.opened;
    await until(() => connection.frames.length === 1);
    const connect = async (token: string) => {
      const before = connection.frames.length;
      connection.ws.send(`40/riders,${JSON.stringify({ token })}`);
      await until(() => connection.frames.length > before);
      return connection.frames[before];
    };
    return { ...connection, connect };
  }

  it('closes a connection after 3 wrong tokens: a 4th finds it closed', async () => {
    await start({ throttle: { perAddress: 100 } });
    const rider = await rawRider();
    let closed = false;
    void rider.closed.then(() => (closed = true));
    for (let i = 0; i < 3; i++) expect(await rider.connect('nope')).toBe('44/riders,{"message":"UNAUTHENTICATED"}');
    if (!closed) rider.ws.send('40/riders,{"token":"good"}');
    // Closed before a 4th answer could come (a server that kept the connection would answer, and let it in).
    await until(() => closed || rider.frames.length > 4);
    expect(closed).toBe(true);
    expect(rider.frames).toHaveLength(4);
    expect(events).toEqual([]);
  });

  it('ignores a CONNECT sent while another is being checked, so guesses cannot be pipelined', async () => {
    await start({ throttle: { perAddress: 100 } });
    const rider = await rawRider();
    for (let i = 0; i < 10; i++) rider.ws.send('40/riders,{"token":"nope"}');
    await until(() => rider.frames.length > 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(rider.frames.slice(1)).toEqual(['44/riders,{"message":"UNAUTHENTICATED"}']);
  });

  it('counts neither tokens that could not be checked nor successful sign-ins', async () => {
    await start({ throttle: { perAddress: 2 } });
    const rider = await rawRider();
    for (let i = 0; i < 5; i++) expect(await rider.connect('broken')).toBe('44/riders,{"message":"UNAVAILABLE"}');
    expect(await rider.connect('good')).toMatch(/^40\/riders,\{"sid":/);
    for (let i = 0; i < 5; i++) {
      const socket = client('good');
      await new Promise((resolve, reject) => (socket.once('connect', () => resolve(undefined)), socket.once('connect_error', reject)));
    }
    expect(limiter.size).toBe(0);
  });

  it('refuses CONNECTs from an address past its limit saying how long to wait, then its upgrades, and lets another address in', async () => {
    await start({ throttle: { perAddress: 5 } });
    // Opened before the address reaches its limit; its CONNECT comes after.
    const waiting = await rawRider();
    const first = await rawRider();
    for (let i = 0; i < 3; i++) await first.connect('nope');
    const second = await rawRider();
    for (let i = 0; i < 2; i++) await second.connect('nope');

    const refused = JSON.parse((await waiting.connect('good')).slice('44/riders,'.length));
    expect(refused).toEqual({ message: 'TOO_MANY_ATTEMPTS', data: { retryAfterSeconds: expect.any(Number) } });
    expect(refused.data.retryAfterSeconds).toBeGreaterThan(50);
    expect(refused.data.retryAfterSeconds).toBeLessThanOrEqual(60);
    await waiting.closed;

    // What a rider app sees, even with the right token; each try counts.
    const refusal = () => new Promise<Error & { data?: unknown }>((resolve) => client('good').once('connect_error', resolve));
    for (let i = 0; i < 4; i++) expect(await refusal()).toMatchObject({ message: 'TOO_MANY_ATTEMPTS', data: { retryAfterSeconds: expect.any(Number) } });

    // Past twice the limit, a new connection from that address is refused at the upgrade, with Retry-After.
    const upgrade = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const ws = new WebSocket(`${url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
      ws.on('error', () => undefined);
      ws.on('unexpected-response', (request, response) => (resolve(response), request.destroy()));
      ws.on('open', () => reject(new Error('upgraded')));
    });
    expect(upgrade.statusCode).toBe(429);
    expect(Number(upgrade.headers['retry-after'])).toBeGreaterThan(50);
    expect((await refusal()).message).toBe('websocket error');

    // A rider elsewhere is not held back by it.
    const elsewhere = client('good', { localAddress: '127.0.0.2' } as Partial<Parameters<typeof io>[1]>);
    await new Promise((resolve, reject) => (elsewhere.once('connect', () => resolve(undefined)), elsewhere.once('connect_error', reject)));
    expect(events).toEqual(['connected r1']);
  });
});
