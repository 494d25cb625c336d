import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LngLat } from '#contracts';
import { straightLineMeters } from '../turf-estimate.js';

/** A fault the fake serves instead of its normal answer. */
export type Fault =
  | { kind: 'none' }
  /** Accepts the request and never answers. */
  | { kind: 'hang' }
  /** A 5xx with the provider's gateway error body. */
  | { kind: 'server_error'; status?: number }
  /** 429 with the provider's quota body, and `Retry-After` when given. */
  | { kind: 'rate_limit'; retryAfterSeconds?: number }
  /** 401 with the provider's authentication error body, whatever key was sent. */
  | { kind: 'unauthorized' }
  /** 200 with a body that is not JSON. */
  | { kind: 'malformed' }
  /** The provider's documented route failure for this result code. */
  | { kind: 'route_failure'; code: number }
  /** A geocode answer with no match. */
  | { kind: 'geocode_empty' };

/** What a fake answers with: status, body, extra headers; or nothing at all. */
export interface FakeReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * A real HTTP server on 127.0.0.1 (port 0) speaking one provider's wire format. Faults and latency can be
 * switched at any time; it counts the requests it receives and the ones whose client gave up before an answer.
 */
export abstract class FakeMapServer {
  /** Every request received, by path. */
  readonly requests = new Map<string, number>();
  /** Requests whose connection closed before an answer was sent (the client aborted). */
  aborted = 0;
  /** Query strings received, newest last (bounded), so tests can check what was asked. */
  readonly queries: URLSearchParams[] = [];
  fault: Fault = { kind: 'none' };
  /** Added before every answer, faults included (not to `hang`). */
  latencyMs = 0;
  /** Road distance ÷ straight line of the routes this fake computes. */
  detourFactor = 1.4;
  /** Geocoder's answers by exact address; unknown addresses are not found. */
  readonly places = new Map<string, LngLat>();

  private server?: http.Server;
  private readonly hanging = new Set<http.ServerResponse>();

  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Requests received on a path (all paths when omitted). */
  count(path?: string): number {
    if (path) return this.requests.get(path) ?? 0;
    let total = 0;
    for (const n of this.requests.values()) total += n;
    return total;
  }

  reset(): void {
    this.requests.clear();
    this.queries.length = 0;
    this.aborted = 0;
    this.fault = { kind: 'none' };
    this.latencyMs = 0;
  }

  /** The fake's idea of the road route: straight line × its detour factor, at 30 km/h. */
  protected roadRoute(from: LngLat, to: LngLat): { meters: number; seconds: number } {
    const meters = Math.round(straightLineMeters(from, to) * this.detourFactor);
    return { meters, seconds: Math.round(meters / (30_000 / 3600)) };
  }

  /** The provider-specific answer (or fault answer) for one request. */
  protected abstract reply(path: string, query: URLSearchParams, headers: http.IncomingHttpHeaders): FakeReply;

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.set(url.pathname, (this.requests.get(url.pathname) ?? 0) + 1);
    this.queries.push(url.searchParams);
    if (this.queries.length > 100) this.queries.shift();
    let answered = false;
    res.on('close', () => {
      this.hanging.delete(res);
      if (!answered) this.aborted += 1;
    });
    req.resume();
    if (this.fault.kind === 'hang') {
      this.hanging.add(res);
      return;
    }
    const send = () => {
      if (res.destroyed) return;
      answered = true;
      if (this.fault.kind === 'malformed') {
        res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' });
        res.end('{"routes": [ {"result_code": 0, "summ');
        return;
      }
      const reply = this.reply(url.pathname, url.searchParams, req.headers);
      res.writeHead(reply.status, { 'content-type': 'application/json;charset=UTF-8', ...reply.headers });
      res.end(JSON.stringify(reply.body));
    };
    if (this.latencyMs > 0) {
      this.hanging.add(res);
      setTimeout(() => {
        this.hanging.delete(res);
        send();
      }, this.latencyMs);
    } else {
      send();
    }
  }
}

/** Parses a provider's `lng,lat` query value. */
export function parseLngLat(value: string | null): LngLat | undefined {
  if (!value) return undefined;
  const [lng, lat] = value.split(',').map(Number);
  if (!Number.isFinite(lng) || !Number.isFinite(lat)) return undefined;
  return { lng, lat };
}
