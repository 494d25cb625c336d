import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CITY_HALL, NEAR_CITY_HALL, orderEvent, startDispatch, type DispatchHarness, type RiderClient } from '../../test/dispatch-harness.js';

/** A point `meters` north of City Hall (negative: south); 0.009° of latitude is ~1 km. */
const north = (meters: number) => ({ lng: CITY_HALL.lng, lat: CITY_HALL.lat + (meters / 1000) * 0.009 });
const orderAt = (agencyId: string, pickup: { lng: number; lat: number }) =>
  orderEvent(agencyId, { pickup: { ...pickup, address: '서울특별시 중구 어딘가' } });

/** A rider carrying one job picked up at City Hall and going to Gwanghwamun, still at City Hall. */
async function busyRider(h: DispatchHarness, agencyId: string): Promise<{ client: RiderClient; riderId: string }> {
  const { token, riderId } = await h.rider(agencyId, '묶음 라이더');
  const client = await h.online(token, CITY_HALL);
  const first = orderEvent(agencyId);
  await h.publish(first);
  const offer = await client.waitForOffer();
  await expect(client.send('offer:accept', { offerId: offer.offerId })).resolves.toMatchObject({ ok: true });
  return { client, riderId };
}

describe('stacking (묶음배차) by pickup radius (component, STACK_PICKUP_RADIUS_METERS=500)', () => {
  let h: DispatchHarness;

  beforeAll(async () => {
    h = await startDispatch({ env: { STACK_PICKUP_RADIUS_METERS: '500' } });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('offers a busy rider a pickup near its job, and passes it over for one beyond the radius', async () => {
    const { agencyId } = await h.agency();
    const busy = await busyRider(h, agencyId);
    // A free rider, farther from both pickups than the busy one.
    const free = await h.online((await h.rider(agencyId, '빈 라이더')).token, NEAR_CITY_HALL.m4000);

    // 300 m from the busy rider's job: stacked on it.
    const near = orderAt(agencyId, north(300));
    await h.publish(near);
    const nearDelivery = await h.deliveryOf(near.orderId);
    const stacked = await busy.client.waitForOffer(nearDelivery.id);
    const [row] = await h.query<{ score: { stack?: { nearMeters: number; delaySeconds: number }; active: number } }>(
      'SELECT score FROM dispatch.offers WHERE id = $1',
      [stacked.offerId],
    );
    expect(row.score).toMatchObject({ active: 1, stack: { nearMeters: expect.any(Number), delaySeconds: expect.any(Number) } });
    expect(row.score.stack!.nearMeters).toBeGreaterThan(250);
    expect(row.score.stack!.nearMeters).toBeLessThan(350);
    await expect(busy.client.send('offer:accept', { offerId: stacked.offerId })).resolves.toMatchObject({ ok: true });

    // 900 m south: still the busy rider's nearest pickup in a straight line, but beyond the radius of its jobs
    // and of itself, so the free rider 4 km away gets it.
    const far = orderAt(agencyId, north(-900));
    await h.publish(far);
    const farDelivery = await h.deliveryOf(far.orderId);
    await free.waitForOffer(farDelivery.id);
    expect(busy.client.offers().map((o) => o.deliveryId)).not.toContain(farDelivery.id);
  });
});

describe('stacking by first drop-off delay (component, STACK_MAX_DELAY_SECONDS=60)', () => {
  let h: DispatchHarness;

  beforeAll(async () => {
    h = await startDispatch({ env: { STACK_PICKUP_RADIUS_METERS: '500', STACK_MAX_DELAY_SECONDS: '60' } });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('passes a busy rider over when collecting the new order would hold up its first drop-off too long', async () => {
    const { agencyId } = await h.agency();
    const busy = await busyRider(h, agencyId);
    const free = await h.online((await h.rider(agencyId, '빈 라이더')).token, NEAR_CITY_HALL.m4000);

    // 400 m south of City Hall, within the radius, but away from Gwanghwamun (north): ~800 m more riding,
    // about 190 s at 20 km/h over the straight line × 1.3, past the 60 s allowed.
    const detour = orderAt(agencyId, north(-400));
    await h.publish(detour);
    const delivery = await h.deliveryOf(detour.orderId);
    await free.waitForOffer(delivery.id);
    expect(busy.client.offers().map((o) => o.deliveryId)).not.toContain(delivery.id);

    // On the way north to the first drop-off, it costs nothing: stacked.
    const onTheWay = orderAt(agencyId, north(300));
    await h.publish(onTheWay);
    await expect(busy.client.waitForOffer((await h.deliveryOf(onTheWay.orderId)).id)).resolves.toMatchObject({ feePending: false });
  });
});
