import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, NEAR_CITY_HALL, orderEvent, startDispatch, type DispatchHarness, type RiderClient } from '../../test/dispatch-harness.js';

/**
 * Bursts: many waiting deliveries offered by one sweep, and many riders' answers and reports arriving at once,
 * which dispatch writes together (offers in batches, accepts, pickups, deliveries and quotes group-committed).
 * Each delivery must still move once, be logged once and cause its events once, and no rider may be offered or
 * given more than its capacity.
 */
describe('bursts of orders, accepts and reports (component, real PostgreSQL)', () => {
  let h: DispatchHarness;

  beforeAll(async () => {
    h = await startDispatch();
  });

  afterAll(async () => {
    await h?.close();
  });

  const steps = (deliveryId: string) =>
    h.query<{ from_status: string | null; to_status: string; actor_type: string }>(
      'SELECT from_status, to_status, actor_type FROM dispatch.delivery_transitions WHERE delivery_id = $1 ORDER BY seq',
      [deliveryId],
    );

  it('offers a burst of waiting deliveries within the riders\' capacity, and takes their accepts, pickups and deliveries at once, each once', async () => {
    const { agencyId } = await h.agency();
    const riders = await Promise.all(['가', '나', '다', '라'].map((name) => h.rider(agencyId, `묶음 라이더 ${name}`, 3)));
    // Twelve orders wait, priced, before any rider is online: the first sweep with riders offers them all.
    const orders = Array.from({ length: 12 }, () => orderEvent(agencyId));
    for (const order of orders) await h.publish(order);
    const deliveries = await Promise.all(
      orders.map((order) => eventually(async () => ((await h.deliveryOf(order.orderId)).fee ? h.deliveryOf(order.orderId) : undefined), 'the order priced')),
    );
    const clients: RiderClient[] = await Promise.all(riders.map((rider) => h.online(rider.token, NEAR_CITY_HALL.m300)));

    const offers = await Promise.all(deliveries.map((delivery) => Promise.any(clients.map((client) => client.waitForOffer(delivery.id)))));
    // Sequential offers: each delivery to one rider, and no rider holds more offers than its three places.
    const holders = clients.map((client) => client.offers());
    expect(holders.flat()).toHaveLength(12);
    for (const held of holders) expect(held).toHaveLength(3);

    // Every rider accepts every offer it holds at the same moment.
    const accepts = await Promise.all(clients.flatMap((client) => client.offers().map((offer) => client.send('offer:accept', { offerId: offer.offerId }))));
    expect(accepts.filter((reply) => !reply.ok)).toEqual([]);
    const assigned = await h.query<{ id: string; rider_id: string }>(
      'SELECT id, rider_id FROM dispatch.deliveries WHERE id = ANY($1::uuid[]) AND status = $2',
      [offers.map((offer) => offer.deliveryId), 'assigned'],
    );
    expect(assigned).toHaveLength(12);

    // All pick up at once: each twice (a report sent again on a bad connection), and one rider also reports a
    // delivery that is not its own.
    const [first, second] = clients;
    const firstJobs = first!.offers().map((offer) => offer.deliveryId);
    const foreign = second!.send('delivery:pickedUp', { deliveryId: firstJobs[0] });
    const pickups = await Promise.all(
      clients.flatMap((client) => client.offers().flatMap((offer) => [1, 2].map(() => client.send('delivery:pickedUp', { deliveryId: offer.deliveryId })))),
    );
    expect(pickups.filter((reply) => !reply.ok)).toEqual([]);
    expect(pickups.map((reply) => (reply.delivery as { status: string }).status)).toEqual(Array(24).fill('picked_up'));
    expect(await foreign).toMatchObject({ ok: false, code: 'DELIVERY_NOT_FOUND' });

    const deliveries2 = await Promise.all(clients.flatMap((client) => client.offers().map((offer) => client.send('delivery:delivered', { deliveryId: offer.deliveryId }))));
    expect(deliveries2.filter((reply) => !reply.ok)).toEqual([]);

    for (const order of orders) {
      const delivery = await h.deliveryOf(order.orderId);
      expect(delivery.status).toBe('delivered');
      expect(delivery.rider_id).toBe(assigned.find((row) => row.id === delivery.id)!.rider_id);
      expect(await steps(delivery.id)).toEqual([
        { from_status: null, to_status: 'pending', actor_type: 'restaurant' },
        { from_status: 'pending', to_status: 'offered', actor_type: 'system' },
        { from_status: 'offered', to_status: 'assigned', actor_type: 'rider' },
        { from_status: 'assigned', to_status: 'picked_up', actor_type: 'rider' },
        { from_status: 'picked_up', to_status: 'delivered', actor_type: 'rider' },
      ]);
      expect((await h.statusEvents(order.orderId)).map((event) => event.status)).toEqual(['quoted', 'assigned', 'picked_up', 'delivered']);
      expect((await h.chargeEvents(order.orderId)).map((event) => event.stage)).toEqual(['assigned', 'picked_up', 'delivered']);
      const assignedEvent = (await h.statusEvents(order.orderId)).find((event) => event.status === 'assigned')!;
      expect(assignedEvent.rider).toEqual({ id: delivery.rider_id, name: expect.stringMatching(/^묶음 라이더 /) });
    }
  });

  it('offers a rider no more of a waiting burst than it has room for, and the rest once it is free again', async () => {
    const { agencyId } = await h.agency();
    const rider = await h.rider(agencyId, '두 자리 라이더', 2);
    const orders = Array.from({ length: 5 }, () => orderEvent(agencyId));
    for (const order of orders) await h.publish(order);
    for (const order of orders) await eventually(async () => ((await h.deliveryOf(order.orderId)).fee ? true : undefined), 'the order priced');
    const client = await h.online(rider.token, NEAR_CITY_HALL.m300);

    const firstTwo = [await client.waitForOffer(), await client.waitFor('offer', (offer) => offer.offerId !== client.offers()[0]!.offerId)];
    // Several sweeps later, still two: the other three wait.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(client.offers()).toHaveLength(2);
    const waiting = await h.query('SELECT id FROM dispatch.deliveries WHERE agency_id = $1 AND status = $2', [agencyId, 'pending']);
    expect(waiting).toHaveLength(3);

    // Once it has delivered both, the rider is free again: the waiting deliveries are offered to it, no more than two.
    for (const offer of firstTwo) expect(await client.send('offer:accept', { offerId: offer.offerId })).toMatchObject({ ok: true });
    for (const offer of firstTwo) {
      await client.send('delivery:pickedUp', { deliveryId: offer.deliveryId });
      await client.send('delivery:delivered', { deliveryId: offer.deliveryId });
    }
    const third = await client.waitFor('offer', (offer) => !firstTwo.some((o) => o.offerId === offer.offerId));
    expect(waiting.map((row) => (row as { id: string }).id)).toContain(third.deliveryId);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(client.offers().length).toBeLessThanOrEqual(4);
  });
});
