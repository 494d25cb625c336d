import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { NEAR_CITY_HALL, orderEvent, startDispatch, type DispatchHarness } from '../../test/dispatch-harness.js';

describe('dispatch while the fee service is down (component)', () => {
  let h: DispatchHarness;

  beforeAll(async () => {
    h = await startDispatch({ withFee: false });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('offers with the fee pending, then sends the price to the assigned rider and to the holder of an open offer', async () => {
    const { agencyId } = await h.agency();
    const first = await h.rider(agencyId, '먼저 받은 라이더', 1);
    const taker = await h.online(first.token, NEAR_CITY_HALL.m300);
    const holder = await h.online((await h.rider(agencyId, '들고 있는 라이더')).token, NEAR_CITY_HALL.m1500);

    // Fee does not answer: the delivery is offered all the same, at once, saying its fee is pending.
    const taken = orderEvent(agencyId);
    await expect(h.publish(taken)).resolves.toEqual({ ok: true });
    const offer = await taker.waitForOffer();
    expect(offer).toMatchObject({ fee: null, riderPay: null, distanceMeters: null, feePending: true });
    await expect(taker.send('offer:accept', { offerId: offer.offerId })).resolves.toMatchObject({
      ok: true,
      delivery: { status: 'assigned', fee: null, riderPay: null },
    });
    // Assigned, but nothing to charge yet: the charge needs fee's quote.
    expect(await h.chargeEvents(taken.orderId)).toEqual([]);

    // The first rider is full (capacity 1), so a second delivery goes to the other, who holds it unanswered.
    const held = orderEvent(agencyId);
    await h.publish(held);
    const heldOffer = await holder.waitForOffer((await h.deliveryOf(held.orderId)).id);
    expect(heldOffer.feePending).toBe(true);
    const [board] = await h.query<{ fee_pending_since: Date | null }>('SELECT fee_pending_since FROM dispatch.deliveries WHERE order_id = $1', [
      held.orderId,
    ]);
    expect(board.fee_pending_since).toBeInstanceOf(Date);

    await h.startFee();
    const takenDelivery = await h.deliveryOf(taken.orderId);
    const priced = await taker.waitFor('delivery:fee', (e: { deliveryId: string }) => e.deliveryId === takenDelivery.id);
    const [quote] = await h.query<{ id: string; total: number; distance_meters: number; rider_pay: number | null }>(
      'SELECT id, total, distance_meters, rider_pay FROM fee.quotes WHERE order_id = $1',
      [taken.orderId],
    );
    expect(priced).toEqual({ deliveryId: takenDelivery.id, fee: quote.total, riderPay: expect.any(Number), distanceMeters: quote.distance_meters });
    await expect(holder.waitFor('delivery:fee', (e: { deliveryId: string }) => e.deliveryId === heldOffer.deliveryId)).resolves.toMatchObject({
      fee: expect.any(Number),
    });
    // Nobody else hears of prices that are not theirs.
    expect(taker.events('delivery:fee').map((e) => e.deliveryId)).toEqual([takenDelivery.id]);

    // The assignment is charged at the quote now that it exists, dated when it happened; the restaurant's side
    // still gets its quoted event.
    const charges = await h.chargeEvents(taken.orderId);
    expect(charges).toEqual([expect.objectContaining({ stage: 'assigned', quoteId: quote.id, riderId: first.riderId })]);
    expect(new Date(charges[0].at)).toEqual((await h.query<{ assigned_at: Date }>('SELECT assigned_at FROM dispatch.deliveries WHERE id = $1', [takenDelivery.id]))[0].assigned_at);
    expect((await h.statusEvents(taken.orderId)).map((e) => e.status)).toEqual(['assigned', 'quoted']);

    // Accepting the held offer now shows the price.
    await expect(holder.send('offer:accept', { offerId: heldOffer.offerId })).resolves.toMatchObject({
      ok: true,
      delivery: { fee: expect.any(Number), status: 'assigned' },
    });
  });
});
