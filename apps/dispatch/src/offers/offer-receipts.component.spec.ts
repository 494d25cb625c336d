import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { NEAR_CITY_HALL, eventually, orderEvent, startDispatch, type DispatchHarness } from '../../test/dispatch-harness.js';
import { OfferReceiptsRepository } from './offer-receipts.repository.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Apps that acknowledge offers say so in the handshake. */
const ACKNOWLEDGING = { auth: { acknowledgesOffers: true } };

describe('offers known to arrive (component, OFFER_UNSEEN_WITHDRAW_SECONDS=1, offers last 30 s)', () => {
  let h: DispatchHarness;

  beforeAll(async () => {
    h = await startDispatch({ env: { OFFER_UNSEEN_WITHDRAW_SECONDS: '1', OFFER_TIMEOUT_SECONDS: '30' } });
  });

  afterAll(async () => {
    await h?.close();
  });

  async function acknowledging(agencyId: string, name: string, at: { lng: number; lat: number }) {
    const client = await h.connect((await h.rider(agencyId, name)).token, ACKNOWLEDGING);
    await client.at(at);
    return client;
  }

  const boardOffers = async (agencyId: string, apiKey: string, deliveryId: string) =>
    (await request(h.dispatchUrl).get(`/v1/agencies/${agencyId}/deliveries/${deliveryId}`).set('authorization', `Bearer ${apiKey}`).expect(200)).body.offers;

  it('records the receipt of an offer, shows it seen on the board, and leaves a seen offer its whole time', async () => {
    const { agencyId, apiKey } = await h.agency();
    const rider = await acknowledging(agencyId, '받은 라이더', NEAR_CITY_HALL.m300);
    await h.publish(orderEvent(agencyId));
    const offer = await rider.waitForOffer();
    expect(await boardOffers(agencyId, apiKey, offer.deliveryId)).toEqual([
      { offerId: offer.offerId, riderId: expect.any(String), expiresAt: offer.expiresAt, seen: false, seenAt: null },
    ]);

    const receipt = await rider.send('offer:seen', { offerId: offer.offerId });
    expect(receipt).toEqual({ ok: true, seenAt: expect.any(String) });
    // A second receipt (another device, a retry) keeps the first time.
    await expect(rider.send('offer:seen', { offerId: offer.offerId })).resolves.toEqual(receipt);
    expect(await boardOffers(agencyId, apiKey, offer.deliveryId)).toEqual([expect.objectContaining({ seen: true, seenAt: receipt.seenAt })]);

    await pause(2000);
    expect(await h.query('SELECT status FROM dispatch.offers WHERE id = $1', [offer.offerId])).toEqual([{ status: 'pending' }]);
    expect(rider.events('offer:expired')).toEqual([]);
    const metrics = await (await fetch(`${h.dispatchUrl}/metrics`)).text();
    expect(metrics).toMatch(/^baecha_dispatch_offer_seen_seconds_count\{[^}]*\} [1-9]/m);
  });

  it('passes an offer its rider never acknowledged to the next rider long before it would expire', async () => {
    const { agencyId } = await h.agency();
    const deaf = await acknowledging(agencyId, '못 받은 라이더', NEAR_CITY_HALL.m300);
    const next = await acknowledging(agencyId, '다음 라이더', NEAR_CITY_HALL.m1500);
    const made = Date.now();
    await h.publish(orderEvent(agencyId));
    const missed = await deaf.waitForOffer();
    const passed = await next.waitForOffer(missed.deliveryId);
    // Withdrawn at about a second, not at the offer's 30 s.
    expect(Date.now() - made).toBeLessThan(10_000);
    await expect(deaf.waitFor('offer:expired', (e: { offerId: string }) => e.offerId === missed.offerId)).resolves.toEqual({ offerId: missed.offerId });
    await expect(deaf.send('offer:accept', { offerId: missed.offerId })).resolves.toMatchObject({ ok: false, code: 'OFFER_EXPIRED' });
    // Told of it late (a replay after reconnecting): the receipt is taken, the offer stays unseen.
    await expect(deaf.send('offer:seen', { offerId: missed.offerId })).resolves.toEqual({ ok: true, seenAt: null });
    expect(await h.query('SELECT status, seen_at FROM dispatch.offers WHERE id = $1', [missed.offerId])).toEqual([{ status: 'expired', seen_at: null }]);
    await next.send('offer:seen', { offerId: passed.offerId });
    await expect(next.send('offer:accept', { offerId: passed.offerId })).resolves.toMatchObject({ ok: true });
    const metrics = await (await fetch(`${h.dispatchUrl}/metrics`)).text();
    expect(metrics).toMatch(/^baecha_dispatch_offers_unseen_total\{[^}]*\} [1-9]/m);
  });

  it('in a broadcast, closes only the unseen offers and keeps the delivery offered to the rider who saw it', async () => {
    const { agencyId, apiKey } = await h.agency();
    await request(h.dispatchUrl)
      .put(`/v1/agencies/${agencyId}/dispatch-settings`)
      .set('authorization', `Bearer ${apiKey}`)
      .send({ offerPolicy: 'broadcast', broadcastSize: 2 })
      .expect(200);
    const seeing = await acknowledging(agencyId, '본 라이더', NEAR_CITY_HALL.m300);
    const deaf = await acknowledging(agencyId, '안 본 라이더', NEAR_CITY_HALL.m1500);
    await h.publish(orderEvent(agencyId));
    const [seen, unseen] = await Promise.all([seeing.waitForOffer(), deaf.waitForOffer()]);
    await seeing.send('offer:seen', { offerId: seen.offerId });
    await deaf.waitFor('offer:expired', (e: { offerId: string }) => e.offerId === unseen.offerId);
    expect(await h.query('SELECT status FROM dispatch.offers WHERE id = $1', [seen.offerId])).toEqual([{ status: 'pending' }]);
    expect(await h.query('SELECT status FROM dispatch.deliveries WHERE id = $1', [seen.deliveryId])).toEqual([{ status: 'offered' }]);
    expect(await boardOffers(agencyId, apiKey, seen.deliveryId)).toEqual([expect.objectContaining({ offerId: seen.offerId, seen: true })]);
  });

  it('never withdraws the offers of a rider on an app that does not acknowledge offers (protocol v1)', async () => {
    const { agencyId } = await h.agency();
    const v1 = await h.online((await h.rider(agencyId, 'v1 라이더')).token, NEAR_CITY_HALL.m300);
    await h.publish(orderEvent(agencyId));
    const offer = await v1.waitForOffer();
    await pause(2500);
    expect(await h.query('SELECT status FROM dispatch.offers WHERE id = $1', [offer.offerId])).toEqual([{ status: 'pending' }]);
    await expect(v1.send('offer:accept', { offerId: offer.offerId })).resolves.toMatchObject({ ok: true });
  });

  it('writes receipts that arrive together by one statement, each answered as its own, an offer marked first once', async () => {
    // Three riders of three agencies, one offer each.
    const offers = [];
    for (const name of ['첫째', '둘째', '셋째']) {
      const { agencyId } = await h.agency();
      const rider = await acknowledging(agencyId, `${name} 라이더`, NEAR_CITY_HALL.m300);
      await h.publish(orderEvent(agencyId));
      offers.push(await rider.waitForOffer());
    }
    const ids = await h.query<{ rider_id: string; id: string }>('SELECT rider_id, id FROM dispatch.offers WHERE id = ANY($1::uuid[])', [offers.map((o) => o.offerId)]);
    const riderOf = new Map(ids.map((row) => [row.id, row.rider_id]));
    const receipts = h.dispatch.get(OfferReceiptsRepository);
    const [a, b, c] = offers.map((offer) => ({ riderId: riderOf.get(offer.offerId)!, offerId: offer.offerId }));
    // Two go at once, the rest wait for them and go together: a repeat of an offer among them, and another rider's claim.
    const answers = await Promise.all([a, b, c, c, a, { riderId: b!.riderId, offerId: c!.offerId }].map(({ riderId, offerId }) => receipts.markSeen(riderId, offerId)));
    const first = answers.map((answer) => answer && answer.first);
    // Within one statement the earlier receipt of an offer is the first; of two statements in flight at once, either
    // may take the offer's row first (each on its own connection), so a's first is one of its two, never both.
    expect([first[1], first[2], first[3], first[5]]).toEqual([true, true, false, undefined]);
    expect([first[0], first[4]].sort()).toEqual([false, true]);
    expect(answers[3]!.seenAt).toEqual(answers[2]!.seenAt);
    expect(answers[4]!.seenAt).toEqual(answers[0]!.seenAt);
    const seen = await h.query<{ n: number }>('SELECT count(*)::int AS n FROM dispatch.offers WHERE id = ANY($1::uuid[]) AND seen_at IS NOT NULL', [offers.map((o) => o.offerId)]);
    expect(seen).toEqual([{ n: 3 }]);
  });

  it("refuses a receipt of another rider's offer or of no offer, naming the field when it is not an id", async () => {
    const { agencyId } = await h.agency();
    const holder = await acknowledging(agencyId, '가진 라이더', NEAR_CITY_HALL.m300);
    const other = await acknowledging(agencyId, '남 라이더', NEAR_CITY_HALL.m4000);
    await h.publish(orderEvent(agencyId));
    const offer = await holder.waitForOffer();
    await expect(other.send('offer:seen', { offerId: offer.offerId })).resolves.toMatchObject({ ok: false, code: 'OFFER_NOT_FOUND' });
    await expect(other.send('offer:seen', { offerId: 'nope' })).resolves.toMatchObject({
      ok: false,
      code: 'VALIDATION_FAILED',
      details: [expect.objectContaining({ field: 'offerId', value: 'nope' })],
    });
    await eventually(async () => (await h.query('SELECT 1 FROM dispatch.offers WHERE id = $1 AND seen_at IS NULL', [offer.offerId]))[0], 'the offer still unseen');
  });
});
