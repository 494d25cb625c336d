import { afterEach, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { io, type Socket as ClientSocket } from 'socket.io-client';
import WebSocket from 'ws';
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

  const start = async (options: { pingIntervalMs?: number; pingTimeoutMs?: number; connectTimeoutMs?: number } = {}) => {
    const log: string[] = (events = []);
    server = http.createServer((_request, response) => response.writeHead(404).end());
    sut = new RiderSocketServer<{ riderId: string }>({
      path: '/socket.io/',
      namespace: '/riders',
      ...options,
      authenticate: async (auth) => {
        const token = (auth as { token?: unknown } | undefined)?.token;
        if (token === 'broken') throw new Error('database down');
        return token === 'good' ? { session: { riderId: 'r1' } } : { refused: 'UNAUTHENTICATED' };
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

  const raw = (query = 'EIO=4&transport=websocket') => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/socket.io/?${query}`);
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
});
