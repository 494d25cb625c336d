import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { OrderCreatedEvent, OrderTimingChangedEvent } from '#contracts';
import { NEAR_CITY_HALL, orderEvent, startDispatch, type DispatchHarness, type RiderClient } from '../../test/dispatch-harness.js';

const MINUTE = 60_000;

describe('ready and promised times in dispatch (component, real PostgreSQL and fee service)', () => {
  let h: DispatchHarness;

  beforeAll(async () => {
    h = await startDispatch();
  });

  afterAll(async () => {
    await h?.close();
  });

  /** An order ready now, promised in 40 minutes: the times a restaurant sends. */
  function timedOrder(agencyId: string): OrderCreatedEvent {
    const readyAt = new Date(Math.floor(Date.now() / 1000) * 1000);
    return orderEvent(agencyId, { readyAt: readyAt.toISOString(), promisedAt: new Date(readyAt.getTime() + 40 * MINUTE).toISOString() });
  }

  function timingEvent(order: OrderCreatedEvent, change: OrderTimingChangedEvent['change'], readyAt: Date, delayMinutes?: number): OrderTimingChangedEvent {
    return {
      eventId: randomUUID(),
      occurredAt: new Date().toISOString(),
      orderId: order.orderId,
      agencyId: order.agencyId,
      change,
      readyAt: readyAt.toISOString(),
      ...(delayMinutes === undefined ? {} : { delayMinutes }),
    };
  }

  /** The delivery's log steps that kept its status: what restaurants said of its ready time. */
  const timingSteps = (deliveryId: string) =>
    h.query<{ from_status: string; to_status: string; actor_type: string; actor_id: string; reason: string }>(
      'SELECT from_status, to_status, actor_type, actor_id, reason FROM dispatch.delivery_transitions WHERE delivery_id = $1 AND from_status = to_status ORDER BY seq',
      [deliveryId],
    );

  async function board(agencyId: string, apiKey: string, deliveryId: string): Promise<Record<string, unknown>> {
    const response = await fetch(`${h.dispatchUrl}/v1/agencies/${agencyId}/deliveries`, { headers: { authorization: `Bearer ${apiKey}` } });
    const { deliveries } = (await response.json()) as { deliveries: Array<Record<string, unknown>> };
    return deliveries.find((d) => d.id === deliveryId)!;
  }

  /** A timed order offered to and accepted by a rider near it. */
  async function assigned(agencyId: string, rider: RiderClient) {
    const order = timedOrder(agencyId);
    await h.publish(order);
    const delivery = await h.deliveryOf(order.orderId);
    const offer = await rider.waitForOffer(delivery.id);
    const accepted = await rider.send('offer:accept', { offerId: offer.offerId });
    return { order, deliveryId: delivery.id, offer, accepted };
  }

  it("shows the ready time and the promise on the board, the rider's offer and the job", async () => {
    const { agencyId, apiKey } = await h.agency();
    const { token } = await h.rider(agencyId, '시간 보는 라이더');
    const rider = await h.online(token, NEAR_CITY_HALL.m300);
    const { order, deliveryId, offer, accepted } = await assigned(agencyId, rider);
    const times = { readyAt: order.readyAt, promisedAt: order.promisedAt, readyChange: null };
    expect(offer).toMatchObject(times);
    expect(accepted).toMatchObject({ ok: true, delivery: times });
    expect(await board(agencyId, apiKey, deliveryId)).toMatchObject(times);
    // A device connecting later gets its jobs with them too.
    const jobs = await (await h.connect(token)).waitFor<{ deliveries: Array<Record<string, unknown>> }>('jobs');
    expect(jobs.deliveries).toEqual([expect.objectContaining({ id: deliveryId, ...times })]);
  });

  it('moves the ready time once per event, logs it as a step, tells the rider carrying it and shows "delayed"', async () => {
    const { agencyId, apiKey } = await h.agency();
    const mine = await h.rider(agencyId, '담당 라이더');
    const rider = await h.online(mine.token, NEAR_CITY_HALL.m300);
    const { order, deliveryId } = await assigned(agencyId, rider);
    const delayed = new Date(Date.parse(order.readyAt!) + 10 * MINUTE);
    const event = timingEvent(order, 'delayed', delayed, 10);

    const replies = await Promise.all([h.publishTiming(event), h.publishTiming(event), h.publishTiming(event)]);
    expect(replies).toEqual([{ ok: true }, { ok: true }, { ok: true }]);

    const told = await rider.waitFor('delivery:timing', (m: { deliveryId: string }) => m.deliveryId === deliveryId);
    expect(told).toEqual({ deliveryId, readyAt: delayed.toISOString(), promisedAt: order.promisedAt, readyChange: 'delayed', delayMinutes: 10 });
    expect(await timingSteps(deliveryId)).toEqual([
      { from_status: 'assigned', to_status: 'assigned', actor_type: 'restaurant', actor_id: order.restaurantId, reason: `delayed 10 min; ready at ${delayed.toISOString()}` },
    ]);
    expect(await board(agencyId, apiKey, deliveryId)).toMatchObject({ readyAt: delayed.toISOString(), readyChange: 'delayed', status: 'assigned' });
    // Sent three times, applied once: one message to the rider.
    await h.publishTiming(event);
    // Any answer on the socket comes after every message sent to it before.
    await rider.send('offer:decline', { offerId: randomUUID() });
    expect(rider.events('delivery:timing').filter((m: { deliveryId: string }) => m.deliveryId === deliveryId)).toHaveLength(1);
  });

  it('refuses a change for an order whose delivery is not there yet, and applies it once the order arrives', async () => {
    const { agencyId } = await h.agency();
    const order = timedOrder(agencyId);
    const event = timingEvent(order, 'ready', new Date());
    await expect(h.publishTiming(event)).rejects.toMatchObject({ code: 'DELIVERY_NOT_FOUND' });
    expect(await h.query('SELECT 1 FROM dispatch.inbox WHERE event_id = $1', [event.eventId])).toEqual([]);

    await h.publish(order);
    const { id } = await h.deliveryOf(order.orderId);
    await expect(h.publishTiming(event)).resolves.toEqual({ ok: true });
    const [row] = await h.query<{ ready_at: Date; ready_change: string }>('SELECT ready_at, ready_change FROM dispatch.deliveries WHERE id = $1', [id]);
    expect(row).toEqual({ ready_at: new Date(event.readyAt), ready_change: 'ready' });
  });

  it('keeps a newer change over an older one that arrives late, and leaves picked-up deliveries alone', async () => {
    const { agencyId } = await h.agency();
    const rider = await h.online((await h.rider(agencyId, '늦은 소식')).token, NEAR_CITY_HALL.m300);
    const { order, deliveryId } = await assigned(agencyId, rider);
    const newer = timingEvent(order, 'ready', new Date(Date.parse(order.readyAt!) + MINUTE));
    const older = { ...timingEvent(order, 'delayed', new Date(Date.parse(order.readyAt!) + 20 * MINUTE), 20), occurredAt: new Date(Date.now() - MINUTE).toISOString() };
    await h.publishTiming(newer);
    await h.publishTiming(older);
    const ready = async () => (await h.query<{ ready_at: Date }>('SELECT ready_at FROM dispatch.deliveries WHERE id = $1', [deliveryId]))[0].ready_at;
    expect(await ready()).toEqual(new Date(newer.readyAt));

    await rider.send('delivery:pickedUp', { deliveryId });
    await h.publishTiming(timingEvent(order, 'delayed', new Date(Date.now() + 30 * MINUTE), 30));
    expect(await ready()).toEqual(new Date(newer.readyAt));
    expect((await timingSteps(deliveryId)).map((s) => s.reason)).toEqual([`ready now (${newer.readyAt})`]);
  });

  it('refuses an event that breaks the contract, naming the field, and changes nothing', async () => {
    const { agencyId } = await h.agency();
    const order = timedOrder(agencyId);
    await h.publish(order);
    const { id } = await h.deliveryOf(order.orderId);
    const good = timingEvent(order, 'delayed', new Date(Date.now() + 10 * MINUTE), 10);
    for (const [field, bad] of [
      ['change', { ...good, change: 'soon' }],
      ['delayMinutes', { ...good, delayMinutes: 0 }],
      ['readyAt', { ...good, readyAt: '12:30' }],
    ] as const) {
      await expect(h.publishTiming(bad as OrderTimingChangedEvent)).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [expect.objectContaining({ field })],
      });
      expect(await h.query('SELECT 1 FROM dispatch.inbox WHERE event_id = $1', [bad.eventId])).toEqual([]);
    }
    expect(await h.query('SELECT ready_at, ready_change FROM dispatch.deliveries WHERE id = $1', [id])).toEqual([{ ready_at: new Date(order.readyAt!), ready_change: null }]);
  });

  it('counts a timing step as no change of status on the board', async () => {
    const { agencyId, apiKey } = await h.agency();
    const order = timedOrder(agencyId);
    await h.publish(order);
    const { id } = await h.deliveryOf(order.orderId);
    await h.query("UPDATE dispatch.delivery_transitions SET at = at - interval '10 minutes' WHERE delivery_id = $1", [id]);
    await h.publishTiming(timingEvent(order, 'delayed', new Date(Date.parse(order.readyAt!) + 5 * MINUTE), 5));
    const row = await board(agencyId, apiKey, id);
    expect(row.readyChange).toBe('delayed');
    expect(row.inStatusSeconds as number).toBeGreaterThanOrEqual(600);
  });
});
