import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { provisionAgency } from '../apps/dispatch/src/agencies/agencies.provisioning.js';
import { provisionRider } from '../apps/dispatch/src/riders/riders.provisioning.js';
import { provisionRestaurant } from '../apps/order-intake/src/restaurants/restaurants.provisioning.js';
import { queryRows } from './support/database.js';
import { eventually, startStack, type Stack } from './support/stack.js';

const transports: Array<'tcp' | 'rmq'> = ['tcp'];
if (process.env.RABBITMQ_URL) transports.push('rmq');
else console.warn('\n*** RABBITMQ_URL is not set: crash recovery over RabbitMQ is SKIPPED ***\n');

function signedHeaders(secret: string, body: string): Record<string, string> {
  const id = `msg_${randomBytes(8).toString('hex')}`;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
}

describe.each(transports)('an accepted order survives a killed process (%s)', (transport) => {
  let stack: Stack;
  let restaurant: { restaurantId: string; webhookSecret: string; apiKey: string };
  let rider: { riderId: string; token: string };
  const sockets: Socket[] = [];

  beforeAll(async () => {
    stack = await startStack({ transport, env: { DISPATCH_SWEEP_INTERVAL_MS: '100' } });
    const agency = await provisionAgency(stack.databases.dispatch, { name: '복구 테스트 대행' });
    restaurant = await provisionRestaurant(stack.databases.intake, {
      agencyId: agency.agencyId,
      name: '복구 식당',
      address: '서울특별시 중구 세종대로 110',
      lng: 126.978,
      lat: 37.5665,
    });
    rider = await provisionRider(stack.databases.dispatch, { agencyId: agency.agencyId, name: '복구 라이더' });
  }, 120_000);

  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await stack?.stop();
  });

  const sendOrder = async () => {
    const body = JSON.stringify({
      externalOrderId: `pos-${randomUUID()}`,
      dropoff: { address: '서울특별시 종로구 세종대로 172', lng: 126.9769, lat: 37.5759 },
      items: [{ name: '라면', quantity: 1, unitPrice: 5000 }],
      orderAmount: 5000,
    });
    const response = await fetch(`${stack.url('intake')}/v1/restaurants/${restaurant.restaurantId}/orders`, {
      method: 'POST',
      headers: signedHeaders(restaurant.webhookSecret, body),
      body,
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as { orderId: string }).orderId;
  };

  it('takes orders while dispatch is killed, and dispatches each exactly once after it restarts', async () => {
    await stack.kill('dispatch', 'SIGKILL');
    const orderIds = [await sendOrder(), await sendOrder(), await sendOrder()];

    await stack.start('dispatch');
    const socket = io(`${stack.url('dispatch')}/riders`, { auth: { token: rider.token }, transports: ['websocket'] });
    sockets.push(socket);
    const offers: Array<{ offerId: string; deliveryId: string }> = [];
    socket.on('offer', (offer) => offers.push(offer));
    await new Promise<void>((resolve, reject) => (socket.once('connect', () => resolve()), socket.once('connect_error', reject)));
    await socket.timeout(5000).emitWithAck('location', { lng: 126.9785, lat: 37.567 });

    const deliveries = await eventually(async () => {
      const rows = await queryRows<{ order_id: string }>(
        stack.databaseUrl,
        'SELECT order_id FROM dispatch.deliveries WHERE order_id = ANY($1::uuid[])',
        [orderIds],
      );
      return rows.length === 3 ? rows : undefined;
    }, 20_000, 'three deliveries');
    expect(deliveries.map((d) => d.order_id).sort()).toEqual([...orderIds].sort());

    // The rider (capacity 3) is offered each, one at a time, and accepts each.
    for (let i = 0; i < 3; i++) {
      const offer = await eventually(async () => offers[i], 20_000, `offer ${i + 1}`);
      await expect(socket.timeout(5000).emitWithAck('offer:accept', { offerId: offer.offerId })).resolves.toMatchObject({ ok: true });
    }
    expect(new Set(offers.map((o) => o.deliveryId)).size).toBe(3);

    // Redelivered events may arrive after the crash; none may create a second delivery or assignment.
    const counts = await queryRows(
      stack.databaseUrl,
      `SELECT count(*)::int AS deliveries, count(*) FILTER (WHERE status = 'assigned')::int AS assigned
         FROM dispatch.deliveries WHERE order_id = ANY($1::uuid[])`,
      [orderIds],
    );
    expect(counts).toEqual([{ deliveries: 3, assigned: 3 }]);

    for (const orderId of orderIds) {
      await eventually(async () => {
        const r = await fetch(`${stack.url('intake')}/v1/restaurants/${restaurant.restaurantId}/orders/${orderId}`, {
          headers: { authorization: `Bearer ${restaurant.apiKey}` },
        });
        return ((await r.json()) as { status: string }).status === 'assigned' ? true : undefined;
      }, 20_000, `order ${orderId} assigned`);
    }
  });

  it('keeps assignments through a dispatch crash; the rider finishes one after reconnecting and gets new work', async () => {
    const [first] = await queryRows<{ id: string; order_id: string }>(
      stack.databaseUrl,
      "SELECT id, order_id FROM dispatch.deliveries WHERE status = 'assigned' ORDER BY created_at LIMIT 1",
    );
    expect(first).toBeDefined();

    await stack.kill('dispatch', 'SIGKILL');
    sockets.forEach((s) => s.disconnect());
    await stack.start('dispatch');
    const socket = io(`${stack.url('dispatch')}/riders`, { auth: { token: rider.token }, transports: ['websocket'] });
    sockets.push(socket);
    const offers: Array<{ offerId: string; deliveryId: string }> = [];
    socket.on('offer', (offer) => offers.push(offer));
    await new Promise<void>((resolve, reject) => (socket.once('connect', () => resolve()), socket.once('connect_error', reject)));
    await socket.timeout(5000).emitWithAck('location', { lng: 126.9785, lat: 37.567 });

    await expect(socket.timeout(5000).emitWithAck('delivery:pickedUp', { deliveryId: first.id })).resolves.toMatchObject({ ok: true });
    await expect(socket.timeout(5000).emitWithAck('delivery:delivered', { deliveryId: first.id })).resolves.toMatchObject({ ok: true });

    // Freed capacity: the next order reaches this rider.
    const next = await sendOrder();
    const offer = await eventually(async () => offers[0], 20_000, 'an offer after capacity freed up');
    const [delivery] = await queryRows<{ order_id: string }>(stack.databaseUrl, 'SELECT order_id FROM dispatch.deliveries WHERE id = $1', [offer.deliveryId]);
    expect(delivery.order_id).toBe(next);

    await eventually(async () => {
      const r = await fetch(`${stack.url('intake')}/v1/restaurants/${restaurant.restaurantId}/orders/${first.order_id}`, {
        headers: { authorization: `Bearer ${restaurant.apiKey}` },
      });
      return ((await r.json()) as { status: string }).status === 'delivered' ? true : undefined;
    }, 20_000, 'the first order delivered');
  });
});
