import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { agencyDeliveriesApi, CITY_HALL, eventually, NEAR_CITY_HALL, orderEvent, startDispatch, type DispatchHarness } from '../../test/dispatch-harness.js';
import type { OrderCreatedEvent } from '#contracts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Long enough for a 50 ms dispatcher to plan many rounds: an offer that should not come would have come. */
const SEVERAL_ROUNDS_MS = 600;

/** Dispatch planning in time with the planner (libs/planner): held for the food, bundled, declines and operators respected. */
describe('planning offers in time (component, real PostgreSQL and fee service)', () => {
  let h: DispatchHarness;

  beforeAll(async () => {
    h = await startDispatch({ env: { STACK_PICKUP_RADIUS_METERS: '0' } });
  });

  afterAll(async () => {
    await h?.close();
  });

  async function agency() {
    const api = await agencyDeliveriesApi(h);
    return { ...api, board: async (deliveryId: string) => (await api.get(`/${deliveryId}`).expect(200)).body };
  }

  /** Publishes the order and waits for its delivery to be priced. */
  async function priced(event: OrderCreatedEvent): Promise<string> {
    await h.publish(event);
    return eventually(async () => {
      const delivery = await h.deliveryOf(event.orderId);
      return delivery.fee ? delivery.id : undefined;
    }, `the price of order ${event.orderId}`);
  }

  it('holds a delivery whose food is ready in 20 minutes (NOT_YET_DUE, on the board) and offers it once it is nearly ready', async () => {
    const { agencyId, board } = await agency();
    const rider = await h.online((await h.rider(agencyId, '기다리는 라이더')).token, NEAR_CITY_HALL.m300);
    const readyAt = new Date(Date.now() + 20 * 60_000);
    const deliveryId = await priced(orderEvent(agencyId, { readyAt: readyAt.toISOString() }));

    const held = await eventually(async () => {
      const view = await board(deliveryId);
      return view.dispatchDecision ? view : undefined;
    }, 'a decision on the board');
    expect(held).toMatchObject({
      status: 'pending',
      dispatchDecision: { outcome: 'held', reason: 'NOT_YET_DUE', summary: expect.stringMatching(/ready in 20 min/), decidedAt: expect.any(String) },
    });
    await pause(SEVERAL_ROUNDS_MS);
    expect(rider.offers()).toEqual([]);

    // The kitchen is faster than it said: once the food is nearly ready, the delivery is offered.
    await h.query(`UPDATE dispatch.deliveries SET ready_at = now() + interval '1 minute' WHERE id = $1`, [deliveryId]);
    const offer = await rider.waitForOffer(deliveryId);
    expect((await board(deliveryId)).dispatchDecision).toMatchObject({ outcome: 'offered', reason: null, summary: expect.stringMatching(/^rider /) });
    expect(offer.deliveryId).toBe(deliveryId);
  });

  it('offers two deliveries of one restaurant to one rider together', async () => {
    const { agencyId, board } = await agency();
    const restaurantId = randomUUID();
    const ids = [await priced(orderEvent(agencyId, { restaurantId })), await priced(orderEvent(agencyId, { restaurantId }))];
    const [near, far] = [
      await h.online((await h.rider(agencyId, '가까운 라이더')).token, NEAR_CITY_HALL.m300),
      await h.online((await h.rider(agencyId, '먼 라이더')).token, NEAR_CITY_HALL.m1500),
    ];
    for (const id of ids) await near.waitForOffer(id);
    await pause(SEVERAL_ROUNDS_MS);
    expect(far.offers()).toEqual([]);
    expect((await board(ids[0]!)).dispatchDecision).toMatchObject({ outcome: 'offered', bundleWith: [ids[1]], riderIds: [expect.any(String)] });
  });

  it('never offers a delivery again to a rider who declined it, and says so when every rider has', async () => {
    const { agencyId, board } = await agency();
    const near = await h.online((await h.rider(agencyId, '거절하는 라이더')).token, NEAR_CITY_HALL.m300);
    const event = orderEvent(agencyId);
    await h.publish(event);
    const { id: deliveryId } = await h.deliveryOf(event.orderId);
    const first = await near.waitForOffer(deliveryId);
    await expect(near.send('offer:decline', { offerId: first.offerId })).resolves.toEqual({ ok: true });

    const far = await h.online((await h.rider(agencyId, '다음 라이더')).token, NEAR_CITY_HALL.m1500);
    const second = await far.waitForOffer(deliveryId);
    await expect(far.send('offer:decline', { offerId: second.offerId })).resolves.toEqual({ ok: true });
    const view = await eventually(async () => {
      const current = await board(deliveryId);
      return current.dispatchDecision?.reason === 'NO_RIDER' ? current : undefined;
    }, 'held with no rider');
    expect(view.dispatchDecision.summary).toMatch(/declined/);
    await pause(SEVERAL_ROUNDS_MS);
    expect(near.offers()).toHaveLength(1);
    expect(far.offers()).toHaveLength(1);
  });

  it('keeps an operator\'s assignment and plans that rider around it', async () => {
    const { agencyId, post } = await agency();
    const manual = await priced(orderEvent(agencyId));
    const a = await h.rider(agencyId, '배정받은 라이더');
    const b = await h.rider(agencyId, '빈 라이더');
    const [clientA, clientB] = [await h.connect(a.token), await h.connect(b.token)];
    await post(`/${manual}/assign`, { riderId: a.riderId }).expect(200);
    await clientA.at(CITY_HALL);
    await clientB.at(NEAR_CITY_HALL.m1500);

    // A new delivery at A's pickup: A is busy with the operator's job for minutes, so B is offered it.
    const next = orderEvent(agencyId);
    await h.publish(next);
    const { id: nextId } = await h.deliveryOf(next.orderId);
    await clientB.waitForOffer(nextId);
    await pause(SEVERAL_ROUNDS_MS);
    expect(clientA.offers()).toEqual([]);
    expect(await h.query('SELECT status, rider_id FROM dispatch.deliveries WHERE id = $1', [manual])).toEqual([{ status: 'assigned', rider_id: a.riderId }]);
    expect(await h.query('SELECT id FROM dispatch.offers WHERE delivery_id = $1', [manual])).toEqual([]);
  });
});
