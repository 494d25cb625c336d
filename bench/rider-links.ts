import { io, type Socket } from 'socket.io-client';
import pg from 'pg';
import { TcpProxy } from '../test/support/tcp-proxy.js';
import { percentile } from './support.js';

/** What `bench:dispatch` measures of riders' links at each level, beside order → offer. */
export interface LinkFigures {
  /** Offers made in the window, the share seen (`offer:seen`) within 1 s of being made, and seen p50/p99 ms. */
  offers: number;
  seenWithin1s: number;
  seenP50: number;
  seenP99: number;
  /** Connections that died silently, and how long dispatch took to close them: p50, p99, max (s). */
  dead: number;
  deadDetected: number;
  deadP50: number;
  deadP99: number;
  deadMax: number;
  /** Events replayed to those riders' apps when they came back with the last event they saw: p50, p99, max; rebuilds. */
  replayP50: number;
  replayP99: number;
  replayMax: number;
  rebuilds: number;
}

/** From the offers table: how soon the offers of the window were acknowledged by the riders' apps. */
export async function seenFigures(admin: pg.Client, agencyIds: string[], windowStart: number, windowEnd: number) {
  const { rows } = await admin.query<{ ms: number | null }>(
    `SELECT extract(epoch FROM o.seen_at - o.created_at) * 1000 AS ms
       FROM dispatch.offers o JOIN dispatch.deliveries d ON d.id = o.delivery_id
      WHERE d.agency_id = ANY($1::uuid[]) AND o.created_at >= to_timestamp($2 / 1000.0) AND o.created_at < to_timestamp($3 / 1000.0)`,
    [agencyIds, windowStart, windowEnd],
  );
  const seen = rows.flatMap((row) => (row.ms === null ? [] : [Number(row.ms)])).sort((a, b) => a - b);
  return { offers: rows.length, seenWithin1s: rows.length ? seen.filter((ms) => ms <= 1000).length / rows.length : NaN, seenP50: percentile(seen, 50), seenP99: percentile(seen, 99) };
}

/** A second device of a rider, connected through the proxy, that keeps the stream position it saw. */
interface Device {
  token: string;
  socket: Socket;
  epoch?: string;
  seq: number;
}

/**
 * Connections that die without closing: `count` extra devices of the level's riders connect through a proxy that
 * then goes silent (`silence`). Dispatch must notice each by its pings; the proxy sees it close them. Then each
 * device comes back on a new connection with the last event it saw (`comeBack`) and is replayed what it missed
 * (the rider's other device kept it online and offered work meanwhile).
 */
export class DeadConnections {
  private constructor(
    private readonly proxy: TcpProxy,
    private readonly devices: Device[],
    private readonly url: string,
  ) {}

  static async connect(dispatchPort: number, tokens: string[]): Promise<DeadConnections> {
    const proxy = await TcpProxy.start(dispatchPort);
    const devices = await Promise.all(tokens.map((token) => open(`${proxy.url}/riders`, token, null)));
    return new DeadConnections(proxy, devices, `http://127.0.0.1:${dispatchPort}/riders`);
  }

  silence(): void {
    this.proxy.blackhole();
  }

  async comeBack(waitMs: number): Promise<Omit<LinkFigures, 'offers' | 'seenWithin1s' | 'seenP50' | 'seenP99'>> {
    const deadline = Date.now() + waitMs;
    while (this.proxy.serverClosedAfterMs.length < this.devices.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    const detected = [...this.proxy.serverClosedAfterMs].sort((a, b) => a - b);
    const replays: number[] = [];
    let rebuilds = 0;
    await Promise.all(
      this.devices.map(async (device) => {
        device.socket.disconnect();
        const back = await open(this.url, device.token, device.epoch ? { epoch: device.epoch, seq: device.seq } : null);
        const resume = await back.resumed;
        if ('rebuild' in resume) rebuilds++;
        else replays.push(resume.replayed);
        back.socket.disconnect();
      }),
    );
    await this.proxy.close();
    replays.sort((a, b) => a - b);
    return {
      dead: this.devices.length,
      deadDetected: detected.length,
      deadP50: percentile(detected, 50) / 1000,
      deadP99: percentile(detected, 99) / 1000,
      deadMax: (detected.at(-1) ?? NaN) / 1000,
      replayP50: percentile(replays, 50),
      replayP99: percentile(replays, 99),
      replayMax: replays.at(-1) ?? NaN,
      rebuilds,
    };
  }
}

type Resume = { epoch: string; seq: number; replayed: number } | { epoch: string; seq: number; rebuild: string };

async function open(url: string, token: string, resume: { epoch: string; seq: number } | null): Promise<Device & { resumed: Promise<Resume> }> {
  const socket = io(url, { auth: { token, acknowledgesOffers: true, resume }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 60_000 });
  const device: Device & { resumed: Promise<Resume> } = {
    token,
    socket,
    seq: 0,
    resumed: new Promise<Resume>((resolve) => socket.once('resume', resolve)),
  };
  socket.onAny((event: string, payload: { epoch?: string; seq?: number }, meta?: { seq?: number }) => {
    if (event === 'resume' && payload.epoch) device.epoch = payload.epoch;
    if (typeof meta?.seq === 'number') device.seq = Math.max(device.seq, meta.seq);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return device;
}
