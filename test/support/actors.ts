import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';

/** Standard Webhooks signing, written out here rather than borrowed from the code under test. */
export function signedHeaders(secret: string, body: string): Record<string, string> {
  const id = `msg_${randomBytes(8).toString('hex')}`;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
}

export interface RestaurantCredentials {
  restaurantId: string;
  webhookSecret: string;
  apiKey: string;
}

export interface SignedOrder {
  body: string;
  headers: Record<string, string>;
}

/** A restaurant's POS as the system sees it: it signs and sends orders and reads them back. */
export class Restaurant {
  constructor(
    private readonly intakeUrl: string,
    private readonly credentials: RestaurantCredentials,
  ) {}

  get restaurantId(): string {
    return this.credentials.restaurantId;
  }

  async send(order: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: { orderId: string; status: string } }> {
    const signed = this.signOrder(order);
    return this.post({ ...signed, headers: { ...signed.headers, ...headers } });
  }

  /** An order signed once, to be sent as it is through any intake instance: a balancer's retry of the same request. */
  signOrder(order: Record<string, unknown> = {}): SignedOrder {
    const body = JSON.stringify({
      externalOrderId: `pos-${randomUUID()}`,
      dropoff: { address: '서울특별시 종로구 세종대로 172', lng: 126.9769, lat: 37.5759 },
      items: [{ name: '라면', quantity: 1, unitPrice: 5000 }],
      orderAmount: 5000,
      ...order,
    });
    return { body, headers: signedHeaders(this.credentials.webhookSecret, body) };
  }

  async post(signed: SignedOrder): Promise<{ status: number; headers: Headers; body: { orderId: string; status: string } }> {
    const response = await fetch(`${this.intakeUrl}/v1/restaurants/${this.credentials.restaurantId}/orders`, { method: 'POST', headers: signed.headers, body: signed.body });
    return { status: response.status, headers: response.headers, body: (await response.json()) as { orderId: string; status: string } };
  }

  /** The same restaurant's POS sending through another intake instance, as a balancer would pick one. */
  via(intakeUrl: string): Restaurant {
    return new Restaurant(intakeUrl, this.credentials);
  }

  /** Signs and sends "ready now" (`ready`) or "delayed by N minutes" (`delay`, with `{ minutes }`) for one of its orders. */
  async timing(orderId: string, route: 'ready' | 'delay', payload: object = {}): Promise<{ status: number; body: any }> {
    const body = JSON.stringify(payload);
    const response = await fetch(`${this.intakeUrl}/v1/restaurants/${this.credentials.restaurantId}/orders/${orderId}/${route}`, {
      method: 'POST',
      headers: signedHeaders(this.credentials.webhookSecret, body),
      body,
    });
    return { status: response.status, body: await response.json() };
  }

  async order<T = { status: string }>(orderId: string): Promise<T> {
    const response = await fetch(`${this.intakeUrl}/v1/restaurants/${this.credentials.restaurantId}/orders/${orderId}`, {
      headers: { authorization: `Bearer ${this.credentials.apiKey}` },
    });
    return (await response.json()) as T;
  }

  /** When each of its credentials was rotated and until when the one replaced keeps working, read with its API key. */
  async credentialState<T = Record<string, any>>(): Promise<T> {
    const response = await fetch(`${this.intakeUrl}/v1/restaurants/${this.credentials.restaurantId}/credentials`, {
      headers: { authorization: `Bearer ${this.credentials.apiKey}` },
    });
    return (await response.json()) as T;
  }

  /** The same restaurant's POS once switched to a new webhook secret. */
  withWebhookSecret(webhookSecret: string): Restaurant {
    return new Restaurant(this.intakeUrl, { ...this.credentials, webhookSecret });
  }
}

export interface Offer {
  offerId: string;
  deliveryId: string;
  fee: number;
  distanceMeters: number;
}

/** A rider's companion client: one socket, every offer it received kept in order. */
export class Rider {
  readonly offers: Offer[] = [];
  /** Every event the server sent, in order. */
  readonly received: Array<{ event: string; payload: any }> = [];

  private constructor(readonly socket: Socket) {
    socket.on('offer', (offer: Offer) => this.offers.push(offer));
    socket.onAny((event: string, payload: unknown) => this.received.push({ event, payload }));
  }

  /** The payloads of every `event` received so far. */
  events<T = any>(event: string): T[] {
    return this.received.filter((r) => r.event === event).map((r) => r.payload as T);
  }

  static async connect(dispatchUrl: string, token: string): Promise<Rider> {
    const socket = io(`${dispatchUrl}/riders`, { auth: { token }, transports: ['websocket'], reconnection: false });
    const rider = new Rider(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return rider;
  }

  /** Emits and waits for the server's acknowledgement. */
  ask<T = { ok: boolean; code?: string }>(event: string, payload: unknown): Promise<T> {
    return this.socket.timeout(5000).emitWithAck(event, payload) as Promise<T>;
  }

  disconnect(): void {
    this.socket.disconnect();
  }
}
