import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Messaging } from '#messaging';
import { eventually, NEAR_CITY_HALL, orderEvent, startDispatch, type DispatchHarness } from '../../test/dispatch-harness.js';
import { OffersRepository } from './offers.repository.js';

/** Every delivery of these orders priced: one quote each in fee, and one `quoted` event each in dispatch's outbox. */
async function pricedOnce(h: DispatchHarness, orderIds: string[]): Promise<void> {
  await h.priced(orderIds);
  const quotes = await h.query<{ order_id: string; n: number }>('SELECT order_id, count(*)::int AS n FROM fee.quotes WHERE order_id = ANY($1) GROUP BY order_id', [orderIds]);
  expect(quotes.map((q) => q.n)).toEqual(orderIds.map(() => 1));
  for (const orderId of orderIds) {
    expect((await h.statusEvents(orderId)).filter((e) => e.status === 'quoted')).toHaveLength(1);
    // The quote the delivery keeps is the one fee stored for it.
    const [delivery] = await h.query<{ fee: { quoteId: string } }>('SELECT fee FROM dispatch.deliveries WHERE order_id = $1', [orderId]);
    expect(await h.query('SELECT order_id FROM fee.quotes WHERE id = $1', [delivery.fee.quoteId])).toEqual([{ order_id: orderId }]);
  }
}

/** How many times dispatch reads riders' room and jobs, from now on. */
function watchRiderReads(h: DispatchHarness): { count: number } {
  const offers = h.dispatch.get(OffersRepository);
  const reads = { count: 0 };
  const riderContexts = offers.riderContexts.bind(offers);
  offers.riderContexts = (riderIds) => {
    reads.count++;
    return riderContexts(riderIds);
  };
  return reads;
}

/** Dispatch's requests to fee by pattern, from now on. */
function watchRequests(h: DispatchHarness): string[] {
  const messaging = h.dispatch.get(Messaging);
  const patterns: string[] = [];
  const request = messaging.request.bind(messaging);
  messaging.request = (pattern, payload, timeoutMs) => {
    patterns.push(pattern);
    return request(pattern, payload, timeoutMs);
  };
  return patterns;
}

describe('pricing deliveries in batches (component, real PostgreSQL and fee)', () => {
  describe('with fee up', () => {
    let h: DispatchHarness;

    beforeAll(async () => {
      h = await startDispatch();
    });

    afterAll(async () => {
      await h?.close();
    });

    it('prices a burst of new deliveries with fewer requests to fee and reads of riders than deliveries, each once', async () => {
      const { agencyId } = await h.agency();
      // A rider free for every bundle the planner makes of them, so each is offered at its price and no round reads riders meanwhile.
      for (let i = 0; i < 20; i++) await h.online((await h.rider(agencyId, `라이더 ${i}`, 3)).token, NEAR_CITY_HALL.m300);
      // Fee knows the agency once its agency.registered arrived: until then a quote is NO_TARIFF.
      await eventually(async () => ((await h.query('SELECT 1 FROM fee.agencies WHERE id = $1', [agencyId])).length ? true : undefined), 'fee to know the agency');
      const requests = watchRequests(h);
      const reads = watchRiderReads(h);
      const orders = Array.from({ length: 40 }, () => orderEvent(agencyId));
      await Promise.all(orders.map((order) => h.publish(order)));
      await pricedOnce(
        h,
        orders.map((o) => o.orderId),
      );
      expect(requests).toContain('fee.quote-batch');
      expect(requests.length).toBeLessThan(orders.length);
      // What offering needs of the riders nearby was read for deliveries together, as their prices were asked.
      expect(reads.count).toBeGreaterThan(0);
      expect(reads.count).toBeLessThan(orders.length);
    });
  });

  describe('with fee down', () => {
    let h: DispatchHarness;

    beforeAll(async () => {
      h = await startDispatch({ withFee: false });
    });

    afterAll(async () => {
      await h?.close();
    });

    it('leaves a burst of deliveries to the retry, and prices each once when fee is back', async () => {
      const { agencyId } = await h.agency();
      const orders = Array.from({ length: 20 }, () => orderEvent(agencyId));
      await Promise.all(orders.map((order) => h.publish(order)));
      for (const order of orders) expect((await h.afterPricingAttempts(order.orderId, 1)).fee).toBeNull();

      await h.startFee();
      await pricedOnce(
        h,
        orders.map((o) => o.orderId),
      );
    });
  });
});
