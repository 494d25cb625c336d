import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import WebSocket from 'ws';
import { ConnectionCap } from '#platform';
import { startDispatch, type DispatchHarness } from '../../test/dispatch-harness.js';

/**
 * Riders' sockets are long-lived by design: HTTP's short timeouts and its connection cap must leave them alone,
 * and they have a cap of their own.
 */
describe('rider sockets beside HTTP limits (component, real PostgreSQL)', () => {
  let h: DispatchHarness;

  beforeAll(async () => {
    h = await startDispatch({
      withFee: false,
      env: {
        HTTP_HEADERS_TIMEOUT_MS: '200',
        HTTP_REQUEST_TIMEOUT_MS: '300',
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '200',
        HTTP_IDLE_TIMEOUT_MS: '300',
        HTTP_MAX_CONNECTIONS: '2',
        HTTP_SLOW_CLIENT_MS: '100',
        RIDER_MAX_CONNECTIONS: '3',
      },
    });
  });

  afterAll(async () => {
    await h?.close();
  });

  /** A WebSocket that opens the rider endpoint and never joins the namespace; resolves with the HTTP status if refused. */
  const unjoined = () =>
    new Promise<{ ws: WebSocket; closed: Promise<void> } | { refused: number }>((resolve, reject) => {
      const ws = new WebSocket(`${h.dispatchUrl.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
      const closed = new Promise<void>((done) => ws.on('close', () => done()));
      ws.on('open', () => resolve({ ws, closed }));
      ws.on('unexpected-response', (_request, response) => resolve({ refused: response.statusCode ?? 0 }));
      ws.on('error', reject);
    });

  it('keeps riders connected past every HTTP timeout, outside the HTTP connection cap, and caps them on their own', async () => {
    const { agencyId } = await h.agency();
    const tokens = await Promise.all(['가', '나', '다', '라'].map(async (name) => (await h.rider(agencyId, `라이더 ${name}`)).token));
    const riders = [await h.connect(tokens[0]), await h.connect(tokens[1])];

    // Silent for longer than the idle, keep-alive, header and request timeouts (pings come every 25 s).
    await new Promise((resolve) => setTimeout(resolve, 1200));
    for (const rider of riders) {
      expect(rider.socket.connected).toBe(true);
      await expect(rider.send('heartbeat')).resolves.toMatchObject({ ok: true });
    }
    // Two riders and the HTTP cap of two: HTTP still has its room.
    expect((await fetch(`${h.dispatchUrl}/health`)).status).toBe(200);
    expect(h.dispatch.get(ConnectionCap).open).toBeLessThanOrEqual(2);

    // The third place goes to a socket that never joins; a rider arriving at the cap takes its place.
    const idle = await unjoined();
    if (!('ws' in idle)) throw new Error(`the third socket was refused: ${idle.refused}`);
    riders.push(await h.connect(tokens[2]));
    await idle.closed;

    // Every place taken by a rider: the next is refused with 503 rather than dropping one of them.
    expect(await unjoined()).toEqual({ refused: 503 });
    await expect(h.connect(tokens[3])).rejects.toThrow();
    for (const rider of riders) expect(rider.socket.connected).toBe(true);
  });
});
