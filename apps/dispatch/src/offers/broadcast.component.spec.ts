import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CITY_HALL, NEAR_CITY_HALL, eventually, orderEvent, startDispatch, type DispatchHarness, type RiderClient } from '../../test/dispatch-harness.js';

/** A point `meters` north of City Hall, and `east` meters east (0.009° of latitude ≈ 1 km, 0.0113° of longitude ≈ 1 km). */
const around = (meters: number, east = 0) => ({ lng: CITY_HALL.lng + (east / 1000) * 0.0113, lat: CITY_HALL.lat + (meters / 1000) * 0.009 });

describe('dispatch settings and broadcast offers (component, real PostgreSQL and fee service)', () => {
  let h: DispatchHarness;

  beforeAll(async () => {
    // Enough candidates for the 50-rider broadcast.
    h = await startDispatch({ env: { DISPATCH_CANDIDATES: '60' } });
  });

  afterAll(async () => {
    await h?.close();
  });

  const settings = (agencyId: string, apiKey: string | undefined, method: 'GET' | 'PUT', body?: unknown) =>
    fetch(`${h.dispatchUrl}/v1/agencies/${agencyId}/dispatch-settings`, {
      method,
      headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  const broadcasting = async (broadcastSize: number) => {
    const agency = await h.agency('방송 대행');
    const response = await settings(agency.agencyId, agency.apiKey, 'PUT', { offerPolicy: 'broadcast', broadcastSize });
    expect(response.status).toBe(200);
    return agency;
  };

  const offersOf = (deliveryId: string) =>
    h.query<{ rider_id: string; status: string; broadcast: boolean }>('SELECT rider_id, status, broadcast FROM dispatch.offers WHERE delivery_id = $1', [deliveryId]);

  it("reads and replaces an agency's dispatch settings, naming every bad field, with that agency's key only", async () => {
    const { agencyId, apiKey } = await h.agency();
    const fresh = await settings(agencyId, apiKey, 'GET');
    expect(fresh.status).toBe(200);
    await expect(fresh.json()).resolves.toEqual({
      offerPolicy: null,
      broadcastSize: null,
      offerTimeoutSeconds: null,
      effective: { offerPolicy: 'sequential', broadcastSize: 3, offerTimeoutSeconds: 30 },
    });

    const put = await settings(agencyId, apiKey, 'PUT', { offerPolicy: 'broadcast', broadcastSize: 4, offerTimeoutSeconds: 12.5 });
    expect(put.status).toBe(200);
    const replaced = { offerPolicy: 'broadcast', broadcastSize: 4, offerTimeoutSeconds: 12.5, effective: { offerPolicy: 'broadcast', broadcastSize: 4, offerTimeoutSeconds: 12.5 } };
    await expect(put.json()).resolves.toEqual(replaced);
    await expect((await settings(agencyId, apiKey, 'GET')).json()).resolves.toEqual(replaced);
    // The agency's own timeout is what its offers get.
    const rider = await h.online((await h.rider(agencyId, '시간 재는 라이더')).token, NEAR_CITY_HALL.m300);
    await h.publish(orderEvent(agencyId));
    const timed = await rider.waitForOffer();
    const [timing] = await h.query<{ created_at: Date; expires_at: Date }>('SELECT created_at, expires_at FROM dispatch.offers WHERE id = $1', [
      timed.offerId,
    ]);
    expect(timing.expires_at.getTime() - timing.created_at.getTime()).toBe(12_500);

    const bad = await settings(agencyId, apiKey, 'PUT', { offerPolicy: 'lottery', broadcastSize: 0, offerTimeoutSeconds: 'soon' });
    expect(bad.status).toBe(400);
    const { error } = (await bad.json()) as { error: { code: string; details: Array<{ field: string }> } };
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details.map((d) => d.field).sort()).toEqual(['broadcastSize', 'offerPolicy', 'offerTimeoutSeconds']);
    // Nothing of a refused body is kept.
    await expect((await settings(agencyId, apiKey, 'GET')).json()).resolves.toEqual(replaced);

    // Leaving a field out (or null) goes back to the default.
    await expect((await settings(agencyId, apiKey, 'PUT', { offerPolicy: null })).json()).resolves.toMatchObject({
      offerPolicy: null,
      broadcastSize: null,
      effective: { offerPolicy: 'sequential', broadcastSize: 3, offerTimeoutSeconds: 30 },
    });

    expect((await settings(agencyId, undefined, 'GET')).status).toBe(401);
    const other = await h.agency('남의 대행');
    expect((await settings(agencyId, other.apiKey, 'PUT', { offerPolicy: 'broadcast' })).status).toBe(404);
  });

  it('offers to the best few riders at once; the first accept wins and the others are told it was taken', async () => {
    const { agencyId } = await broadcasting(2);
    const far = await h.online((await h.rider(agencyId, '4km')).token, NEAR_CITY_HALL.m4000);
    const near = await h.online((await h.rider(agencyId, '300m')).token, NEAR_CITY_HALL.m300);
    const middle = await h.online((await h.rider(agencyId, '1.5km')).token, NEAR_CITY_HALL.m1500);
    const event = orderEvent(agencyId);
    await h.publish(event);

    const [toNear, toMiddle] = await Promise.all([near.waitForOffer(), middle.waitForOffer()]);
    expect(toNear.deliveryId).toBe(toMiddle.deliveryId);
    expect(toNear.offerId).not.toBe(toMiddle.offerId);
    expect((await offersOf(toNear.deliveryId)).map((o) => ({ status: o.status, broadcast: o.broadcast }))).toEqual([
      { status: 'pending', broadcast: true },
      { status: 'pending', broadcast: true },
    ]);
    // Each offer keeps why the planner chose its riders: the cost part by part, the runner-up, a summary.
    const [scored] = await h.query<{ score: Record<string, unknown> }>('SELECT score FROM dispatch.offers WHERE id = $1', [toNear.offerId]);
    expect(scored.score).toMatchObject({
      terms: expect.objectContaining({ total: expect.any(Number), emptyRide: expect.any(Number), fairness: expect.any(Number) }),
      runnerUp: expect.objectContaining({ riderId: expect.any(String) }),
      summary: expect.stringMatching(/^rider .* leaves now/),
    });

    await expect(middle.send('offer:accept', { offerId: toMiddle.offerId })).resolves.toMatchObject({ ok: true, delivery: { status: 'assigned' } });
    await expect(near.waitFor('offer:taken', (e: { offerId: string }) => e.offerId === toNear.offerId)).resolves.toEqual({ offerId: toNear.offerId });
    await expect(near.send('offer:accept', { offerId: toNear.offerId })).resolves.toMatchObject({
      ok: false,
      code: 'OFFER_TAKEN',
      details: { deliveryId: toNear.deliveryId, assignedToYou: false },
    });
    expect((await offersOf(toNear.deliveryId)).map((o) => o.status).sort()).toEqual(['accepted', 'taken']);
    expect(far.offers()).toEqual([]);
  });

  it('closes only the decliner\'s offer; once none is open the delivery waits, and no decliner is offered it again', async () => {
    const { agencyId } = await broadcasting(2);
    const a = await h.online((await h.rider(agencyId, '가')).token, NEAR_CITY_HALL.m300);
    const b = await h.online((await h.rider(agencyId, '나')).token, NEAR_CITY_HALL.m1500);
    const event = orderEvent(agencyId);
    await h.publish(event);
    const [toA, toB] = await Promise.all([a.waitForOffer(), b.waitForOffer()]);

    await expect(a.send('offer:decline', { offerId: toA.offerId })).resolves.toEqual({ ok: true });
    // B still holds its offer: the delivery is still offered, and goes to nobody else meanwhile.
    expect((await h.deliveryOf(event.orderId)).status).toBe('offered');
    await expect(b.send('offer:decline', { offerId: toB.offerId })).resolves.toEqual({ ok: true });
    await eventually(async () => ((await h.deliveryOf(event.orderId)).status === 'pending' ? true : undefined), 'the delivery to wait again');

    const c = await h.online((await h.rider(agencyId, '다')).token, NEAR_CITY_HALL.m4000);
    const toC = await c.waitForOffer(toA.deliveryId);
    await expect(c.send('offer:accept', { offerId: toC.offerId })).resolves.toMatchObject({ ok: true });
    expect(a.offers().filter((o) => o.deliveryId === toA.deliveryId)).toHaveLength(1);
    expect(b.offers().filter((o) => o.deliveryId === toA.deliveryId)).toHaveLength(1);
    expect((await offersOf(toA.deliveryId)).map((o) => o.status).sort()).toEqual(['accepted', 'declined', 'declined']);
  });

  it('assigns exactly once when 50 riders accept their offers of one delivery at the same moment', async () => {
    const { agencyId } = await broadcasting(50);
    const riders: Array<{ riderId: string; client: RiderClient }> = [];
    for (let i = 0; i < 50; i++) {
      const { riderId, token } = await h.rider(agencyId, `라이더 ${i}`);
      riders.push({ riderId, client: await h.online(token, around(100 + i * 40, (i % 5) * 100)) });
    }
    const event = orderEvent(agencyId);
    await h.publish(event);
    const offers = await Promise.all(riders.map((r) => r.client.waitForOffer()));
    expect(new Set(offers.map((o) => o.deliveryId)).size).toBe(1);

    const replies = await Promise.all(riders.map((r, i) => r.client.send('offer:accept', { offerId: offers[i].offerId })));
    const winners = replies.map((reply, i) => ({ reply, i })).filter(({ reply }) => reply.ok);
    expect(winners).toHaveLength(1);
    const losers = replies.filter((reply) => !reply.ok);
    expect(losers).toEqual(Array(49).fill(expect.objectContaining({ code: 'OFFER_TAKEN', details: { deliveryId: offers[0].deliveryId, assignedToYou: false } })));

    // Every loser is also told by event.
    await Promise.all(
      riders.map((r, i) => (i === winners[0].i ? undefined : r.client.waitFor('offer:taken', (e: { offerId: string }) => e.offerId === offers[i].offerId))),
    );
    const delivery = await h.deliveryOf(event.orderId);
    expect(delivery).toMatchObject({ status: 'assigned', rider_id: riders[winners[0].i].riderId });
    const statuses = (await offersOf(delivery.id)).map((o) => o.status);
    expect(statuses.filter((s) => s === 'accepted')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'taken')).toHaveLength(49);
    expect((await h.statusEvents(event.orderId)).filter((e) => e.status === 'assigned')).toHaveLength(1);
  });
});
