import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { NEAR_CITY_HALL, orderEvent, startDispatch, type DispatchHarness } from '../../test/dispatch-harness.js';

describe('an offer nobody answers (component, OFFER_TIMEOUT_SECONDS=3: long enough for the next rider to answer on a busy machine)', () => {
  let h: DispatchHarness;

  beforeAll(async () => {
    h = await startDispatch({ env: { OFFER_TIMEOUT_SECONDS: '3' } });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('expires, tells the silent rider, goes to the next rider, and refuses a late accept', async () => {
    const { agencyId } = await h.agency();
    const silent = await h.online((await h.rider(agencyId, '무응답')).token, NEAR_CITY_HALL.m300);
    const next = await h.online((await h.rider(agencyId, '다음 라이더')).token, NEAR_CITY_HALL.m1500);
    const event = orderEvent(agencyId);
    await h.publish(event);

    const missed = await silent.waitForOffer();
    const [timing] = await h.query<{ created_at: Date; expires_at: Date }>('SELECT created_at, expires_at FROM dispatch.offers WHERE id = $1', [
      missed.offerId,
    ]);
    expect(timing.expires_at.getTime() - timing.created_at.getTime()).toBe(3000);

    await expect(silent.waitFor('offer:expired', (e: { offerId: string }) => e.offerId === missed.offerId)).resolves.toEqual({
      offerId: missed.offerId,
    });
    const passedOn = await next.waitForOffer(missed.deliveryId);
    await expect(silent.send('offer:accept', { offerId: missed.offerId })).resolves.toMatchObject({ ok: false, code: 'OFFER_EXPIRED' });

    // The next rider answers in time and gets the job; the silent one is never offered it again.
    await expect(next.send('offer:accept', { offerId: passedOn.offerId })).resolves.toMatchObject({ ok: true });
    expect(silent.offers().map((o) => o.offerId)).toEqual([missed.offerId]);
    const offers = await h.query('SELECT status FROM dispatch.offers WHERE delivery_id = $1 ORDER BY created_at', [missed.deliveryId]);
    expect(offers).toEqual([{ status: 'expired' }, { status: 'accepted' }]);
  });

  it('in a broadcast, closes each lapsed offer on its own and offers the delivery again only once none is open', async () => {
    const { agencyId, apiKey } = await h.agency();
    const put = await fetch(`${h.dispatchUrl}/v1/agencies/${agencyId}/dispatch-settings`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ offerPolicy: 'broadcast', broadcastSize: 2, offerTimeoutSeconds: 0.5 }),
    });
    expect(put.status).toBe(200);
    const quiet = await h.online((await h.rider(agencyId, '조용한')).token, NEAR_CITY_HALL.m300);
    const slow = await h.online((await h.rider(agencyId, '느린')).token, NEAR_CITY_HALL.m1500);
    const event = orderEvent(agencyId);
    await h.publish(event);
    const [toQuiet, toSlow] = await Promise.all([quiet.waitForOffer(), slow.waitForOffer()]);

    await quiet.waitFor('offer:expired', (e: { offerId: string }) => e.offerId === toQuiet.offerId);
    await slow.waitFor('offer:expired', (e: { offerId: string }) => e.offerId === toSlow.offerId);
    await expect(slow.send('offer:accept', { offerId: toSlow.offerId })).resolves.toMatchObject({ ok: false, code: 'OFFER_EXPIRED' });
    await expect(h.deliveryOf(event.orderId)).resolves.toMatchObject({ status: 'pending' });

    // A newcomer gets it; neither rider who let it lapse is offered it again.
    const late = await h.online((await h.rider(agencyId, '새로 온')).token, NEAR_CITY_HALL.m4000);
    await late.waitForOffer(toQuiet.deliveryId);
    expect(quiet.offers()).toHaveLength(1);
    expect(slow.offers()).toHaveLength(1);
  });

  it('puts the delivery back to waiting when the only rider lets its offer lapse', async () => {
    const { agencyId } = await h.agency();
    const only = await h.online((await h.rider(agencyId, '혼자')).token, NEAR_CITY_HALL.m300);
    const event = orderEvent(agencyId);
    await h.publish(event);
    const offer = await only.waitForOffer();
    await only.waitFor('offer:expired', (e: { offerId: string }) => e.offerId === offer.offerId);
    await expect(h.deliveryOf(event.orderId)).resolves.toMatchObject({ status: 'pending' });
    // Declining after the fact is refused too, and the rider still holds nothing.
    await expect(only.send('offer:decline', { offerId: offer.offerId })).resolves.toMatchObject({ ok: false, code: 'OFFER_EXPIRED' });
  });
});
