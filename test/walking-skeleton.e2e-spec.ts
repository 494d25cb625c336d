import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { io } from 'socket.io-client';
import { Restaurant, Rider } from './support/actors.js';
import { eventually, startStack, type Stack } from './support/stack.js';

const transports: Array<'tcp' | 'rmq'> = ['tcp'];
if (process.env.RABBITMQ_URL) transports.push('rmq');
else console.warn('\n*** RABBITMQ_URL is not set: the walking skeleton over RabbitMQ is SKIPPED ***\n');

describe.each(transports)('walking skeleton over %s: a signed order travels to a rider and is delivered', (transport) => {
  let stack: Stack;
  let restaurant: Restaurant;
  let riderIds: string[];
  let tokens: string[];
  const riders: Rider[] = [];

  beforeAll(async () => {
    stack = await startStack({ transport });
    const tenants = await stack.tenants('시스템 테스트 대행', ['가까운 라이더', '먼 라이더']);
    restaurant = tenants.restaurant;
    riderIds = tenants.riders.map((r) => r.riderId);
    tokens = tenants.riders.map((r) => r.token);
  }, 120_000);

  afterAll(async () => {
    riders.forEach((r) => r.disconnect());
    await stack?.stop();
  });

  it('refuses a rider socket with a bad token', async () => {
    const socket = io(`${stack.url('dispatch')}/riders`, { auth: { token: 'rt_nope' }, transports: ['websocket'], reconnection: false });
    const error = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
    socket.disconnect();
    expect(error.message).toBe('UNAUTHENTICATED');
  });

  it('prices, offers to the nearest rider, assigns once, and shows delivery to the restaurant', async () => {
    const near = await Rider.connect(stack.url('dispatch'), tokens[0]);
    const far = await Rider.connect(stack.url('dispatch'), tokens[1]);
    riders.push(near, far);
    await expect(far.ask('location', { lng: 127.0276, lat: 37.4979 })).resolves.toMatchObject({ ok: true });
    await expect(near.ask('location', { lng: 126.9785, lat: 37.567 })).resolves.toMatchObject({ ok: true });

    const sent = await restaurant.send({
      dropoff: { address: '서울특별시 종로구 세종대로 172', lng: 126.9769, lat: 37.5759, detail: '3층' },
      customer: { phone: '010-1234-5678' },
      items: [{ name: '참치김밥', quantity: 2, unitPrice: 4500 }],
      orderAmount: 9000,
    });
    expect(sent).toMatchObject({ status: 202, body: { status: 'received' } });
    const { orderId } = sent.body;

    const offer = await eventually(async () => near.offers[0], 'an offer to the nearest rider', 20_000);
    // About 1.05 km straight line x 1.3: inside the 1.5 km base distance.
    expect(offer.fee).toBe(3000);
    expect(offer.distanceMeters).toBeGreaterThan(1000);
    expect(far.offers).toEqual([]);

    await expect(near.ask('offer:accept', { offerId: offer.offerId })).resolves.toMatchObject({ ok: true });
    await expect(near.ask('offer:accept', { offerId: offer.offerId })).resolves.toMatchObject({ ok: false });
    await expect(far.ask('delivery:pickedUp', { deliveryId: offer.deliveryId })).resolves.toMatchObject({ ok: false });
    await expect(near.ask('delivery:pickedUp', { deliveryId: offer.deliveryId })).resolves.toMatchObject({ ok: true });
    await expect(near.ask('delivery:delivered', { deliveryId: offer.deliveryId })).resolves.toMatchObject({ ok: true });

    const seen = await eventually(async () => {
      const order = await restaurant.order<{ status: string; statusHistory: Array<{ status: string; at: string }> }>(orderId);
      return order.status === 'delivered' ? order : undefined;
    }, 'the order to show delivered', 20_000);

    expect(seen).toMatchObject({
      orderId,
      status: 'delivered',
      fee: { total: 3000, currency: 'KRW', provider: 'turf', estimated: true },
      rider: { id: riderIds[0], name: '가까운 라이더' },
    });
    expect(seen.statusHistory.map((h) => h.status)).toEqual(['received', 'quoted', 'assigned', 'picked_up', 'delivered']);
    const times = seen.statusHistory.map((h) => Date.parse(h.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('reports every service healthy with its database and transport', async () => {
    for (const service of ['intake', 'dispatch', 'fee'] as const) {
      const health = (await (await fetch(`${stack.url(service)}/health`)).json()) as { status: string; checks: Array<{ name: string; status: string }> };
      expect({ service, status: health.status }).toEqual({ service, status: 'ok' });
      expect(health.checks.find((c) => c.name === 'database')?.status).toBe('up');
    }
  });
});
