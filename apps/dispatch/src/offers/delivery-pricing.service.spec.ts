import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { APP_CONFIG, loadConfig } from '#config';
import type { FeeQuote } from '#contracts';
import { Messaging } from '#messaging';
import { sampleFeeQuote } from '../../../../libs/contracts/src/testing/fee-quote.sample.js';
import { DeliveriesService } from '../deliveries/deliveries.service.js';
import { AgencyLeases } from '../leases/agency-leases.service.js';
import type { DeliveryEntity } from '../deliveries/delivery.entity.js';
import { DispatchWakeup } from './dispatch-wakeup.js';
import { DeliveryPricing } from './delivery-pricing.service.js';
import { OfferingService } from './offering.service.js';

const delivery = {
  id: '6f1c9a4e-3d3b-4f7e-9a51-2f0b6f0c1a01',
  orderId: '0b7e7c1c-7a0e-4b8e-8f59-0d0e5c9d4a02',
  agencyId: '4a1d0f2e-5c6b-4e7d-8a9f-1b2c3d4e5f03',
  pickupLng: 126.978,
  pickupLat: 37.5665,
  dropoffLng: 126.9769,
  dropoffLat: 37.5759,
  quoteAttempts: 0,
} as DeliveryEntity;

const quote: FeeQuote = sampleFeeQuote({ agencyId: delivery.agencyId });

/** Deliveries of the same agency, with their own ids and drop-offs. */
const others = (n: number): DeliveryEntity[] =>
  Array.from({ length: n }, (_, i) => ({ ...delivery, id: `6f1c9a4e-3d3b-4f7e-9a51-2f0b6f0c1b${String(i).padStart(2, '0')}`, dropoffLng: 126.98 + i / 1000 }));
/** The lease fence of the delivery's agency, as the leases mock hands it out. */
const FENCE = { text: 'fence', values: [] };
const flush = () => new Promise((resolve) => setImmediate(resolve));
const settled = async () => {
  for (let i = 0; i < 5; i++) await flush();
};

describe('DeliveryPricing', () => {
  let sut: DeliveryPricing;
  let request: jest.Mock<(pattern: string, payload: unknown, timeoutMs?: number) => Promise<unknown>>;
  let deliveries: { dueForPricing: jest.Mock<(limit: number) => Promise<DeliveryEntity[]>>; recordQuote: jest.Mock<(...args: unknown[]) => Promise<boolean>>; postponePricing: jest.Mock<(id: string, delayMs: number, options?: { problem?: unknown; fence?: unknown }) => Promise<void>> };
  let offers: { offerAtPrice: jest.Mock<(delivery: DeliveryEntity, quote: FeeQuote, surroundings?: unknown) => Promise<boolean>>; lookAhead: jest.Mock<() => Promise<undefined>> };
  let wakeup: DispatchWakeup;
  let owned: Set<string>;
  /** Agencies another instance plans. */
  let elsewhere: Set<string>;

  beforeEach(async () => {
    request = jest.fn<(pattern: string, payload: unknown, timeoutMs?: number) => Promise<unknown>>();
    deliveries = {
      dueForPricing: jest.fn<(limit: number) => Promise<DeliveryEntity[]>>().mockResolvedValue([delivery]),
      recordQuote: jest.fn<(...args: unknown[]) => Promise<boolean>>().mockResolvedValue(true),
      postponePricing: jest.fn<(id: string, delayMs: number, options?: { problem?: unknown; fence?: unknown }) => Promise<void>>().mockResolvedValue(undefined),
    };
    owned = new Set([delivery.agencyId]);
    elsewhere = new Set();
    const leases = {
      owns: (agencyId: string) => owned.has(agencyId),
      own: async (agencyIds: string[]) => new Map(agencyIds.filter((id) => owned.has(id)).map((id) => [id, 1])),
      heldElsewhere: () => [],
      isHeldElsewhere: (agencyId: string) => elsewhere.has(agencyId),
      fence: () => FENCE,
    };
    offers = {
      offerAtPrice: jest.fn<(delivery: DeliveryEntity, quote: FeeQuote, surroundings?: unknown) => Promise<boolean>>().mockResolvedValue(true),
      lookAhead: jest.fn<() => Promise<undefined>>().mockResolvedValue(undefined),
    };
    const module = await Test.createTestingModule({
      providers: [
        DeliveryPricing,
        DispatchWakeup,
        { provide: APP_CONFIG, useValue: loadConfig({ DISPATCH_SWEEP_INTERVAL_MS: '1000' }) },
        { provide: Messaging, useValue: { request } },
        { provide: DeliveriesService, useValue: deliveries },
        { provide: OfferingService, useValue: offers },
        { provide: AgencyLeases, useValue: leases },
      ],
    }).compile();
    sut = module.get(DeliveryPricing);
    wakeup = module.get(DispatchWakeup);
  });

  it('asks fee.quote for the trip, and has the delivery priced and offered in one go', async () => {
    request.mockResolvedValue(quote);

    await expect(sut.priceDue()).resolves.toBe(1);

    expect(request).toHaveBeenCalledWith(
      'fee.quote',
      { pickup: { lng: 126.978, lat: 37.5665 }, dropoff: { lng: 126.9769, lat: 37.5759 }, agencyId: delivery.agencyId, orderId: delivery.orderId, deliveryId: delivery.id },
      expect.any(Number),
    );
    expect(offers.offerAtPrice).toHaveBeenCalledWith(delivery, expect.objectContaining({ quoteId: quote.quoteId, fee: expect.objectContaining({ total: 3000 }) }), expect.any(Promise));
    // What offering needs was read while fee answered.
    expect(offers.lookAhead).toHaveBeenCalledWith(delivery);
    expect(deliveries.recordQuote).not.toHaveBeenCalled();
    expect(deliveries.postponePricing).not.toHaveBeenCalled();
  });

  it('stores the quote on its own when the delivery no longer simply waits for a price', async () => {
    request.mockResolvedValue(quote);
    offers.offerAtPrice.mockResolvedValue(false);

    await expect(sut.priceDue()).resolves.toBe(1);

    expect(deliveries.recordQuote).toHaveBeenCalledWith(delivery.id, expect.objectContaining({ quoteId: quote.quoteId }), { fence: FENCE });
  });

  it('asks a new delivery\'s price at once, without a pass', async () => {
    request.mockResolvedValue(quote);

    sut.priceNow(delivery);
    await new Promise((resolve) => setImmediate(resolve));

    expect(deliveries.dueForPricing).not.toHaveBeenCalled();
    expect(request).toHaveBeenCalledTimes(1);
    expect(offers.offerAtPrice).toHaveBeenCalledWith(delivery, expect.objectContaining({ quoteId: quote.quoteId }), expect.any(Promise));
  });

  it("hands a new delivery of an agency another instance plans to that instance, and prices it here when the hand-over cannot be made or fails", async () => {
    request.mockResolvedValue(quote);
    owned.clear();
    elsewhere.add(delivery.agencyId);
    let failHandOver!: () => void;
    const handedOver: string[] = [];
    let channel: 'up' | 'down' = 'up';
    wakeup.onHandOver((d, failed) => {
      if (channel === 'down') return false;
      handedOver.push(d.id);
      failHandOver = failed;
      return true;
    });

    sut.priceNow(delivery);
    await new Promise((resolve) => setImmediate(resolve));
    expect(handedOver).toEqual([delivery.id]);
    expect(request).not.toHaveBeenCalled();

    // The publish failed on the way: priced here, and stored for the owner's rounds.
    offers.offerAtPrice.mockResolvedValue(false);
    failHandOver();
    await new Promise((resolve) => setImmediate(resolve));
    expect(request).toHaveBeenCalledTimes(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(deliveries.recordQuote).toHaveBeenCalledWith(delivery.id, expect.objectContaining({ quoteId: quote.quoteId }), { fence: undefined });

    // No channel to hand it over by: priced here at once.
    channel = 'down';
    sut.priceNow({ ...delivery, id: 'another' } as DeliveryEntity);
    await new Promise((resolve) => setImmediate(resolve));
    expect(request).toHaveBeenCalledTimes(2);
  });

  it('leaves a delivery whose price is being asked for out of a pass', async () => {
    let answer!: (value: unknown) => void;
    request.mockReturnValueOnce(new Promise((resolve) => (answer = resolve)));
    sut.priceNow(delivery);

    await expect(sut.priceDue()).resolves.toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(request).toHaveBeenCalledTimes(1);

    answer(quote);
    await new Promise((resolve) => setImmediate(resolve));
    expect(offers.offerAtPrice).toHaveBeenCalledTimes(1);
  });

  it('leaves the retries of an agency another dispatch instance owns to that instance', async () => {
    owned.clear();
    request.mockResolvedValue(quote);

    await expect(sut.priceDue()).resolves.toBe(0);

    expect(request).not.toHaveBeenCalled();
    expect(deliveries.postponePricing).not.toHaveBeenCalled();
  });

  it('keeps the delivery, tries later, and wakes the dispatcher to offer it with its fee pending when fee does not answer', async () => {
    request.mockRejectedValue(new Error('connect ECONNREFUSED'));
    const woken = jest.fn();
    wakeup.onWake(woken);

    await expect(sut.priceDue()).resolves.toBe(0);

    expect(deliveries.recordQuote).not.toHaveBeenCalled();
    expect(deliveries.postponePricing).toHaveBeenCalledWith(delivery.id, 1000, { problem: undefined, fence: FENCE });
    expect(woken).toHaveBeenCalledTimes(1);
  });

  it.each(['NO_LOCATION', 'NO_TARIFF', 'OUTSIDE_SERVICE_AREA', 'BEYOND_MAX_DISTANCE'])(
    'keeps fee refusing with %s as the delivery\'s pricing problem, and tries later with the same backoff',
    async (code) => {
      request.mockRejectedValue({ code, message: `refused: ${code}`, details: { agencyId: delivery.agencyId } });

      await expect(sut.priceDue()).resolves.toBe(0);

      expect(deliveries.recordQuote).not.toHaveBeenCalled();
      expect(deliveries.postponePricing).toHaveBeenCalledWith(delivery.id, 1000, { problem: { code, message: `refused: ${code}`, at: expect.any(String) }, fence: FENCE });
    },
  );

  it('does not take an outage or another error code for a pricing problem', async () => {
    request.mockRejectedValueOnce({ code: 'UPSTREAM_UNAVAILABLE', message: 'every map provider failed' });
    await sut.priceDue();
    request.mockRejectedValueOnce(Object.assign(new Error('Timeout has occurred'), { name: 'TimeoutError' }));
    await sut.priceDue();
    expect(deliveries.postponePricing.mock.calls.map((call) => call[2]?.problem)).toEqual([undefined, undefined]);
  });

  it('does not trust a reply that is not a quote', async () => {
    request.mockResolvedValue({ quoteId: 'x', fee: { total: -1 } });
    await sut.priceDue();
    expect(deliveries.recordQuote).not.toHaveBeenCalled();
    expect(deliveries.postponePricing).toHaveBeenCalledTimes(1);
  });

  it('doubles the wait after each failure, up to 32 sweep intervals', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 20].map((failures) => sut.backoffMs(failures))).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 32_000, 32_000]);
  });

  it('runs one pricing pass at a time, and one more right after it however often it was kicked meanwhile', async () => {
    let answer!: (value: unknown) => void;
    request.mockReturnValue(new Promise((resolve) => (answer = resolve)));
    sut.kick();
    sut.kick();
    sut.kick();
    await new Promise((resolve) => setImmediate(resolve));
    expect(deliveries.dueForPricing).toHaveBeenCalledTimes(1);
    answer(quote);
    await sut.idle();
    // The kicks during the first pass asked for one more (a new delivery may have arrived meanwhile), not three.
    await sut.idle();
    expect(deliveries.dueForPricing).toHaveBeenCalledTimes(2);
    expect(offers.offerAtPrice).toHaveBeenCalledTimes(2);
    sut.kick();
    await sut.idle();
    expect(deliveries.dueForPricing).toHaveBeenCalledTimes(3);
  });

  describe('deliveries that arrive together', () => {
    it('are priced by one fee.quote-batch, each by its own answer', async () => {
      const [a, b, c] = others(3);
      request.mockResolvedValue({
        results: [{ quote: { ...quote, quoteId: '9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c01' } }, { error: { code: 'NO_TARIFF', message: 'no tariff' } }, { quote }],
      });

      for (const d of [a, b, c]) sut.priceNow(d);
      await settled();

      expect(request).toHaveBeenCalledTimes(1);
      expect(request).toHaveBeenCalledWith(
        'fee.quote-batch',
        { quotes: [a, b, c].map((d) => ({ pickup: { lng: d.pickupLng, lat: d.pickupLat }, dropoff: { lng: d.dropoffLng, lat: d.dropoffLat }, agencyId: d.agencyId, orderId: d.orderId, deliveryId: d.id })) },
        expect.any(Number),
      );
      expect(offers.offerAtPrice.mock.calls.map(([d, q]) => [d.id, q.quoteId])).toEqual([
        [a.id, '9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c01'],
        [c.id, quote.quoteId],
      ]);
      expect(deliveries.postponePricing).toHaveBeenCalledTimes(1);
      expect(deliveries.postponePricing).toHaveBeenCalledWith(b.id, 1000, expect.objectContaining({ problem: expect.objectContaining({ code: 'NO_TARIFF' }) }));
    });

    it('due together in a pass are priced by one batch', async () => {
      deliveries.dueForPricing.mockResolvedValue(others(5));
      request.mockResolvedValue({ results: Array.from({ length: 5 }, () => ({ quote })) });
      await expect(sut.priceDue()).resolves.toBe(5);
      expect(request.mock.calls.map(([pattern]) => pattern)).toEqual(['fee.quote-batch']);
    });

    it('that arrive while requests are out wait and go together, at most 100 a batch', async () => {
      const answers: Array<(value: unknown) => void> = [];
      request.mockImplementation((_pattern, payload) => new Promise((resolve) => answers.push(() => resolve('quotes' in (payload as object) ? { results: (payload as { quotes: unknown[] }).quotes.map(() => ({ quote })) } : quote))));
      const waiting = others(150);
      // Four alone, one turn of the event loop each: four requests out.
      for (const d of waiting.slice(0, 4)) {
        sut.priceNow(d);
        await flush();
      }
      for (const d of waiting.slice(4)) sut.priceNow(d);
      await settled();
      expect(request.mock.calls.map(([pattern]) => pattern)).toEqual(['fee.quote', 'fee.quote', 'fee.quote', 'fee.quote']);

      answers.splice(0).forEach((answer) => answer(undefined));
      await settled();
      answers.splice(0).forEach((answer) => answer(undefined));
      await settled();
      const sizes = request.mock.calls.slice(4).map(([, payload]) => (payload as { quotes: unknown[] }).quotes.length);
      expect(sizes).toEqual([100, 46]);
      expect(offers.offerAtPrice).toHaveBeenCalledTimes(150);
    });

    it('are asked one fee.quote each from a fee that does not know the batch', async () => {
      const [a, b] = others(2);
      request.mockImplementation(async (pattern) => {
        if (pattern === 'fee.quote-batch') throw 'There is no matching message handler defined in the remote service.';
        return quote;
      });
      sut.priceNow(a);
      sut.priceNow(b);
      await settled();
      expect(request.mock.calls.map(([pattern]) => pattern)).toEqual(['fee.quote-batch', 'fee.quote', 'fee.quote']);
      expect(offers.offerAtPrice).toHaveBeenCalledTimes(2);
    });

    it('are all left to the retry when fee does not answer the batch, none asked alone', async () => {
      const batch = others(3);
      request.mockRejectedValue(Object.assign(new Error('Timeout has occurred'), { name: 'TimeoutError' }));
      for (const d of batch) sut.priceNow(d);
      await settled();
      expect(request).toHaveBeenCalledTimes(1);
      expect(deliveries.postponePricing.mock.calls.map(([id, delay, options]) => [id, delay, options?.problem])).toEqual(batch.map((d) => [d.id, 1000, undefined]));
      expect(offers.offerAtPrice).not.toHaveBeenCalled();
    });

    it('are all left to the retry when fee answers a batch it cannot be trusted with', async () => {
      const batch = others(2);
      request.mockResolvedValue({ results: [{ quote }] });
      for (const d of batch) sut.priceNow(d);
      await settled();
      expect(deliveries.postponePricing).toHaveBeenCalledTimes(2);
      expect(offers.offerAtPrice).not.toHaveBeenCalled();
    });
  });
});
