import { io, type Socket } from 'socket.io-client';
import type { Offer } from './actors.js';

const NEAR_CITY_HALL = { lng: 126.9785, lat: 37.567 };

/**
 * A rider's app that works on its own, as a rider would: it knows several dispatch URLs and, when its connection
 * drops, connects to the next one that answers; it accepts every offer, picks each delivery up and delivers it
 * after `holdMs`, and finishes whatever the `jobs` snapshot says it still carries after a reconnection.
 */
export class RiderApp {
  /** When each offer arrived (Date.now()), in order. */
  readonly offeredAt: number[] = [];
  /** Every offer that reached the app. */
  readonly offerIds = new Set<string>();
  /** The URL it is connected to now (undefined while it looks for one). */
  connectedTo?: string;
  private socket?: Socket;
  private stopped = false;
  private readonly finishing = new Set<string>();
  private readonly ticker: NodeJS.Timeout;

  private constructor(
    private readonly urls: string[],
    private readonly token: string,
    private readonly holdMs: number,
    private next: number,
  ) {
    // Any message is a sign of life; a position every few seconds keeps the rider matched while it waits.
    this.ticker = setInterval(() => void this.ask('location', NEAR_CITY_HALL).catch(() => undefined), 3000);
  }

  /** Connects first to `urls[first]`, then moves along the list when a connection drops. */
  static async start(urls: string[], token: string, options: { first: number; holdMs: number }): Promise<RiderApp> {
    const app = new RiderApp(urls, token, options.holdMs, options.first);
    await app.connect();
    return app;
  }

  private async connect(): Promise<void> {
    while (!this.stopped) {
      const url = this.urls[this.next % this.urls.length]!;
      this.next++;
      const socket = io(`${url}/riders`, { auth: { token: this.token }, transports: ['websocket'], reconnection: false, timeout: 2000 });
      socket.on('jobs', (jobs: { deliveries: Array<{ id: string }> }) => jobs.deliveries.forEach((d) => void this.finish(d.id)));
      socket.on('offer', (offer: Offer) => void this.take(offer));
      const connected = await new Promise<boolean>((resolve) => {
        socket.once('connect', () => resolve(true));
        socket.once('connect_error', () => resolve(false));
      });
      if (!connected) {
        socket.close();
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      this.socket = socket;
      this.connectedTo = url;
      socket.once('disconnect', () => {
        this.connectedTo = undefined;
        if (!this.stopped) void this.connect();
      });
      await this.ask('location', NEAR_CITY_HALL).catch(() => undefined);
      return;
    }
  }

  private ask<T = { ok: boolean; code?: string }>(event: string, payload: unknown): Promise<T> {
    if (!this.socket?.connected) return Promise.reject(new Error('not connected'));
    return this.socket.timeout(5000).emitWithAck(event, payload) as Promise<T>;
  }

  private async take(offer: Offer): Promise<void> {
    this.offeredAt.push(Date.now());
    this.offerIds.add(offer.offerId);
    const answer = await this.ask('offer:accept', { offerId: offer.offerId }).catch(() => undefined);
    if (answer?.ok) void this.finish(offer.deliveryId);
  }

  /** Picks up and delivers; a step lost to a dropped connection is taken up again from the next `jobs`. */
  private async finish(deliveryId: string): Promise<void> {
    if (this.finishing.has(deliveryId)) return;
    this.finishing.add(deliveryId);
    await new Promise((resolve) => setTimeout(resolve, this.holdMs));
    // Both steps are safe to repeat: one that already succeeded answers ok again.
    for (let attempt = 0; attempt < 5 && this.socket?.connected && !this.stopped; attempt++) {
      try {
        for (const step of ['delivery:pickedUp', 'delivery:delivered']) {
          const answer = await this.ask(step, { deliveryId });
          if (!answer.ok) throw new Error(`${step} ${deliveryId}: ${answer.code}`);
        }
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    this.finishing.delete(deliveryId);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.ticker);
    this.socket?.disconnect();
  }
}
