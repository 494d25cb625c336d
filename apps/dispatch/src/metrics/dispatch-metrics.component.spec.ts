import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { NEAR_CITY_HALL, orderEvent, startDispatch, type DispatchHarness } from '../../test/dispatch-harness.js';

/** The value of one series of dispatch's /metrics, 0 when it has none yet. */
async function metric(h: DispatchHarness, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${h.dispatchUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe("dispatch's metrics (component, OFFER_TIMEOUT_SECONDS=0.5)", () => {
  let h: DispatchHarness;

  beforeAll(async () => {
    h = await startDispatch({ env: { OFFER_TIMEOUT_SECONDS: '0.5' } });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('counts offers made, declined, expired and accepted, the wait for a first offer once per delivery, and riders by state', async () => {
    const before = {
      made: await metric(h, 'baecha_dispatch_offers_made_total', 'policy="sequential"'),
      declined: await metric(h, 'baecha_dispatch_offers_declined_total'),
      expired: await metric(h, 'baecha_dispatch_offers_expired_total'),
      accepted: await metric(h, 'baecha_dispatch_offers_accepted_total'),
      waits: await metric(h, 'baecha_dispatch_order_to_offer_seconds_count'),
      positions: await metric(h, 'baecha_dispatch_rider_positions_total'),
    };
    const { agencyId } = await h.agency();
    const decliner = await h.online((await h.rider(agencyId, '거절')).token, NEAR_CITY_HALL.m300);
    const silent = await h.online((await h.rider(agencyId, '무응답')).token, NEAR_CITY_HALL.m1500);
    const taker = await h.online((await h.rider(agencyId, '수락')).token, NEAR_CITY_HALL.m4000);
    await expect(taker.send('break:start')).resolves.toMatchObject({ ok: true });
    expect(await metric(h, 'baecha_dispatch_riders', 'state="online"')).toBe(2);
    expect(await metric(h, 'baecha_dispatch_riders', 'state="on_break"')).toBe(1);

    const event = orderEvent(agencyId);
    await h.publish(event);
    const first = await decliner.waitForOffer();
    await expect(decliner.send('offer:decline', { offerId: first.offerId })).resolves.toMatchObject({ ok: true });
    const second = await silent.waitForOffer(first.deliveryId);
    await silent.waitFor('offer:expired', (e: { offerId: string }) => e.offerId === second.offerId);
    await expect(taker.send('break:end')).resolves.toMatchObject({ ok: true });
    const third = await taker.waitForOffer(first.deliveryId);
    await expect(taker.send('offer:accept', { offerId: third.offerId })).resolves.toMatchObject({ ok: true });

    expect({
      made: (await metric(h, 'baecha_dispatch_offers_made_total', 'policy="sequential"')) - before.made,
      declined: (await metric(h, 'baecha_dispatch_offers_declined_total')) - before.declined,
      expired: (await metric(h, 'baecha_dispatch_offers_expired_total')) - before.expired,
      accepted: (await metric(h, 'baecha_dispatch_offers_accepted_total')) - before.accepted,
      // Three offers, one delivery: one wait ended.
      waits: (await metric(h, 'baecha_dispatch_order_to_offer_seconds_count')) - before.waits,
      positions: (await metric(h, 'baecha_dispatch_rider_positions_total')) - before.positions,
    }).toEqual({ made: 3, declined: 1, expired: 1, accepted: 1, waits: 1, positions: 3 });
    expect(await metric(h, 'baecha_dispatch_planning_rounds_total', 'outcome="ok"')).toBeGreaterThan(0);
  });
});
