import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { provisionAgency } from '../apps/dispatch/src/agencies/agencies.provisioning.js';
import { provisionRider } from '../apps/dispatch/src/riders/riders.provisioning.js';
import { provisionRestaurant } from '../apps/order-intake/src/restaurants/restaurants.provisioning.js';
import { eventually, startStack, type Stack } from './support/stack.js';

const transports: Array<'tcp' | 'rmq'> = ['tcp'];
if (process.env.RABBITMQ_URL) transports.push('rmq');
else console.warn('\n*** RABBITMQ_URL is not set: the walking skeleton over RabbitMQ is SKIPPED ***\n');

/** Standard Webhooks signing, written out here rather than borrowed from the code under test. */
function signedHeaders(secret: string, body: string): Record<string, string> {
  const id = `msg_${randomBytes(8).toString('hex')}`;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
}

function emitWithAck<T = Record<string, unknown>>(socket: Socket, event: string, payload: unknown): Promise<T> {
  return socket.timeout(5000).emitWithAck(event, payload) as Promise<T>;
}

const restaurantAt = { lng: 126.978, lat: 37.5665 };

describe.each(transports)('walking skeleton over %s: a signed order travels to a rider and is delivered', (transport) => {
  let stack: Stack;
  let restaurant: { restaurantId: string; webhookSecret: string; apiKey: string };
  let riders: Array<{ riderId: string; token: string }>;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    stack = await startStack({ transport });
    const agency = await provisionAgency(stack.databases.dispatch, { name: '시스템 테스트 대행' });
    restaurant = await provisionRestaurant(stack.databases.intake, {
      agencyId: agency.agencyId,
      name: '테스트 식당',
      address: '서울특별시 중구 세종대로 110',
      ...restaurantAt,
    });
    riders = [
      await provisionRider(stack.databases.dispatch, { agencyId: agency.agencyId, name: '가까운 라이더' }),
      await provisionRider(stack.databases.dispatch, { agencyId: agency.agencyId, name: '먼 라이더' }),
    ];
  }, 120_000);

  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await stack?.stop();
  });

  const connect = async (token: string): Promise<Socket> => {
    const socket = io(`${stack.url('dispatch')}/riders`, { auth: { token }, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return socket;
  };

  it('refuses a rider socket with a bad token', async () => {
    const socket = io(`${stack.url('dispatch')}/riders`, { auth: { token: 'rt_nope' }, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    const error = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
    expect(error.message).toBe('UNAUTHENTICATED');
  });

  it('prices, offers to the nearest rider, assigns once, and shows delivery to the restaurant', async () => {
    const near = await connect(riders[0].token);
    const far = await connect(riders[1].token);
    await expect(emitWithAck(far, 'location', { lng: 127.0276, lat: 37.4979 })).resolves.toMatchObject({ ok: true });
    await expect(emitWithAck(near, 'location', { lng: 126.9785, lat: 37.567 })).resolves.toMatchObject({ ok: true });
    const farOffers: unknown[] = [];
    far.on('offer', (offer) => farOffers.push(offer));
    const offered = new Promise<{ offerId: string; deliveryId: string; fee: number; distanceMeters: number }>((resolve) => near.once('offer', resolve));

    const body = JSON.stringify({
      externalOrderId: `pos-${randomUUID()}`,
      dropoff: { address: '서울특별시 종로구 세종대로 172', lng: 126.9769, lat: 37.5759, detail: '3층' },
      customer: { phone: '010-1234-5678' },
      items: [{ name: '참치김밥', quantity: 2, unitPrice: 4500 }],
      orderAmount: 9000,
    });
    const response = await fetch(`${stack.url('intake')}/v1/restaurants/${restaurant.restaurantId}/orders`, {
      method: 'POST',
      headers: signedHeaders(restaurant.webhookSecret, body),
      body,
    });
    expect(response.status).toBe(202);
    const { orderId, status } = (await response.json()) as { orderId: string; status: string };
    expect(status).toBe('received');

    const offer = await offered;
    expect(offer.fee).toBe(3000);
    expect(offer.distanceMeters).toBeGreaterThan(1000);
    expect(farOffers).toEqual([]);

    await expect(emitWithAck(near, 'offer:accept', { offerId: offer.offerId })).resolves.toMatchObject({ ok: true });
    await expect(emitWithAck(near, 'offer:accept', { offerId: offer.offerId })).resolves.toMatchObject({ ok: false });
    await expect(emitWithAck(far, 'delivery:pickedUp', { deliveryId: offer.deliveryId })).resolves.toMatchObject({ ok: false });
    await expect(emitWithAck(near, 'delivery:pickedUp', { deliveryId: offer.deliveryId })).resolves.toMatchObject({ ok: true });
    await expect(emitWithAck(near, 'delivery:delivered', { deliveryId: offer.deliveryId })).resolves.toMatchObject({ ok: true });

    const seen = await eventually(async () => {
      const r = await fetch(`${stack.url('intake')}/v1/restaurants/${restaurant.restaurantId}/orders/${orderId}`, {
        headers: { authorization: `Bearer ${restaurant.apiKey}` },
      });
      const order = (await r.json()) as { status: string };
      return order.status === 'delivered' ? order : undefined;
    }, 20_000, 'the order to show delivered');

    expect(seen).toMatchObject({
      orderId,
      status: 'delivered',
      fee: { total: 3000, currency: 'KRW', provider: 'turf', estimated: true },
      rider: { id: riders[0].riderId, name: '가까운 라이더' },
    });
    const history = (seen as unknown as { statusHistory: Array<{ status: string; at: string }> }).statusHistory;
    expect(history.map((h) => h.status)).toEqual(['received', 'quoted', 'assigned', 'picked_up', 'delivered']);
    const times = history.map((h) => Date.parse(h.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('reports every service healthy with its database and transport', async () => {
    for (const service of ['intake', 'dispatch', 'fee'] as const) {
      const r = await fetch(`${stack.url(service)}/health`);
      const health = (await r.json()) as { status: string; checks: Array<{ name: string; status: string }> };
      expect({ service, status: health.status }).toEqual({ service, status: 'ok' });
      expect(health.checks.find((c) => c.name === 'database')?.status).toBe('up');
    }
  });
});
