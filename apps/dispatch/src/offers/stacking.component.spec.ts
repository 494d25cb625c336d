import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CITY_HALL, eventually, NEAR_CITY_HALL, orderEvent, startDispatch, type DispatchHarness } from '../../test/dispatch-harness.js';

/** A point `meters` north of City Hall (negative: south); 0.009° of latitude is ~1 km. */
const north = (meters: number) => ({ lng: CITY_HALL.lng, lat: CITY_HALL.lat + (meters / 1000) * 0.009 });
const orderAt = (agencyId: string, pickup: { lng: number; lat: number }) =>
  orderEvent(agencyId, { pickup: { ...pickup, address: '서울특별시 중구 어딘가' } });

/** Two priced deliveries of two restaurants 300 m apart, waiting before any rider of the agency is online. */
async function twoRestaurants(h: DispatchHarness, agencyId: string): Promise<string[]> {
  const orders = [orderAt(agencyId, CITY_HALL), orderAt(agencyId, north(300))];
  for (const order of orders) await h.publish(order);
  const ids: string[] = [];
  for (const order of orders) ids.push(await eventually(async () => ((await h.deliveryOf(order.orderId)).fee ? (await h.deliveryOf(order.orderId)).id : undefined), 'priced'));
  return ids;
}

describe('stacking (묶음배차) across restaurants (component, STACK_PICKUP_RADIUS_METERS=500)', () => {
  let h: DispatchHarness;

  beforeAll(async () => {
    h = await startDispatch({ env: { STACK_PICKUP_RADIUS_METERS: '500' } });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('offers deliveries of restaurants within the radius to one rider together, and says so', async () => {
    const { agencyId } = await h.agency();
    const [first, second] = await twoRestaurants(h, agencyId);
    const rider = await h.online((await h.rider(agencyId, '묶음 라이더')).token, NEAR_CITY_HALL.m300);
    await rider.waitForOffer(first);
    await rider.waitForOffer(second);
    const [row] = await h.query<{ score: { bundled: string | null } }>('SELECT score FROM dispatch.offers WHERE delivery_id = $1', [first]);
    expect(row.score.bundled).toEqual(expect.any(String));
  });
});

describe('no stacking across restaurants (component, STACK_PICKUP_RADIUS_METERS=0)', () => {
  let h: DispatchHarness;

  beforeAll(async () => {
    h = await startDispatch({ env: { STACK_PICKUP_RADIUS_METERS: '0' } });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('offers a rider one restaurant\'s deliveries at a time; the other waits with its reason', async () => {
    const { agencyId } = await h.agency();
    const ids = await twoRestaurants(h, agencyId);
    const rider = await h.online((await h.rider(agencyId, '한 집 라이더')).token, NEAR_CITY_HALL.m300);
    const offer = await rider.waitForOffer();
    const other = ids.find((id) => id !== offer.deliveryId)!;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(rider.offers().map((o) => o.deliveryId)).toEqual([offer.deliveryId]);
    const [held] = await h.query<{ status: string; dispatch_decision: { outcome: string; reason: string } }>(
      'SELECT status, dispatch_decision FROM dispatch.deliveries WHERE id = $1',
      [other],
    );
    expect(held).toMatchObject({ status: 'pending', dispatch_decision: { outcome: 'held', reason: expect.stringMatching(/^(NOT_YET_DUE|RIDER_BUSY|RIDERS_TAKEN)$/) } });
  });
});
