import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Rider, type Restaurant } from './support/actors.js';
import { eventually, startStack, type Stack, type Tenants } from './support/stack.js';

const MINUTE = 60_000;

const transports: Array<'tcp' | 'rmq'> = ['tcp'];
if (process.env.RABBITMQ_URL) transports.push('rmq');
else console.warn('\n*** RABBITMQ_URL is not set: the cooking-time system test over RabbitMQ is SKIPPED ***\n');

interface TimedView {
  readyAt: string | null;
  promisedAt: string | null;
  readyChange?: 'ready' | 'delayed' | null;
}

/**
 * A restaurant's cooking time travels from its signed order through dispatch to the rider's offer, and its later
 * "delayed by 10 minutes" moves the time everywhere: the order it reads back, the agency's board and the rider.
 */
describe.each(transports)('cooking time from the restaurant to the rider over %s (system)', (transport) => {
  let stack: Stack;
  let tenants: Tenants;
  let restaurant: Restaurant;
  let rider: Rider;

  beforeAll(async () => {
    stack = await startStack({ transport });
    tenants = await stack.tenants('조리시간 대행', ['시청 라이더']);
    restaurant = tenants.restaurant;
    rider = await Rider.connect(stack.url('dispatch'), tenants.riders[0].token);
    await expect(rider.ask('location', { lng: 126.9785, lat: 37.567 })).resolves.toMatchObject({ ok: true });
  }, 120_000);

  afterAll(async () => {
    rider?.disconnect();
    await stack?.stop();
  });

  async function boardRow(deliveryId: string): Promise<TimedView & { status: string }> {
    const { agencyId, apiKey } = tenants.agency;
    const response = await fetch(`${stack.url('dispatch')}/v1/agencies/${agencyId}/deliveries`, { headers: { authorization: `Bearer ${apiKey}` } });
    const { deliveries } = (await response.json()) as { deliveries: Array<TimedView & { id: string; status: string }> };
    return deliveries.find((d) => d.id === deliveryId)!;
  }

  it('carries the cooking time and the promise to dispatch and the offer, then moves them when the restaurant is late', async () => {
    // A short cooking time: a planner may hold the offer until shortly before the food is ready.
    const sent = await restaurant.send({ cookingMinutes: 1, promisedMinutes: 40 });
    expect(sent.status).toBe(202);
    const { orderId } = sent.body;
    const order = await restaurant.order<TimedView & { createdAt: string }>(orderId);
    expect(Date.parse(order.readyAt!) - Date.parse(order.createdAt)).toBeGreaterThan(0.9 * MINUTE);
    expect(Date.parse(order.promisedAt!) - Date.parse(order.readyAt!)).toBe(39 * MINUTE);

    const offer = await eventually(async () => rider.offers[0] as (typeof rider.offers)[number] & TimedView, 'an offer of the timed order', 120_000);
    expect(offer).toMatchObject({ readyAt: order.readyAt, promisedAt: order.promisedAt, readyChange: null });
    expect(await boardRow(offer.deliveryId)).toMatchObject({ readyAt: order.readyAt, promisedAt: order.promisedAt, readyChange: null });
    await expect(rider.ask('offer:accept', { offerId: offer.offerId })).resolves.toMatchObject({ ok: true });

    const delayed = await restaurant.timing(orderId, 'delay', { minutes: 10 });
    const readyAt = new Date(Date.parse(order.readyAt!) + 10 * MINUTE).toISOString();
    expect(delayed).toEqual({ status: 200, body: { orderId, change: 'delayed', delayMinutes: 10, readyAt, promisedAt: order.promisedAt } });

    const told = await eventually(async () => rider.events<TimedView & { deliveryId: string }>('delivery:timing')[0], 'the rider to be told of the delay', 20_000);
    expect(told).toEqual({ deliveryId: offer.deliveryId, readyAt, promisedAt: order.promisedAt, readyChange: 'delayed', delayMinutes: 10 });
    expect(await boardRow(offer.deliveryId)).toMatchObject({ status: 'assigned', readyAt, readyChange: 'delayed' });
    expect(await restaurant.order(orderId)).toMatchObject({ readyAt, timingHistory: [{ change: 'delayed', delayMinutes: 10, readyAt }] });

    // Once the rider has the food, the restaurant cannot move its time any more.
    await expect(rider.ask('delivery:pickedUp', { deliveryId: offer.deliveryId })).resolves.toMatchObject({ ok: true });
    await eventually(async () => ((await restaurant.order(orderId)).status === 'picked_up' ? true : undefined), 'the order to show picked up', 20_000);
    const closed = await restaurant.timing(orderId, 'ready');
    expect(closed).toMatchObject({ status: 409, body: { error: { code: 'ORDER_TIMING_CLOSED', details: { orderId, status: 'picked_up' } } } });
  });
});
