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

  it('keeps the delivery waiting unpriced and unoffered, retrying, then prices and offers it once fee is up', async () => {
    const { agencyId } = await h.agency();
    const rider = await h.online((await h.rider(agencyId, '기다리는 라이더')).token, NEAR_CITY_HALL.m300);
    const event = orderEvent(agencyId);
    await expect(h.publish(event)).resolves.toEqual({ ok: true });

    // Tried and failed a few times: it is kept, not priced, and never offered without a price.
    const waiting = await h.afterPricingAttempts(event.orderId, 3);
    expect(waiting).toMatchObject({ status: 'pending', fee: null });
    expect(rider.offers()).toEqual([]);
    expect(await h.statusEvents(event.orderId)).toEqual([]);

    await h.startFee();
    const offer = await rider.waitForOffer(waiting.id);
    const [quote] = await h.query<{ total: number }>('SELECT total FROM fee.quotes WHERE order_id = $1', [event.orderId]);
    expect(offer.fee).toBe(quote.total);
    expect((await h.statusEvents(event.orderId)).map((e) => e.status)).toEqual(['quoted']);
  });
});
