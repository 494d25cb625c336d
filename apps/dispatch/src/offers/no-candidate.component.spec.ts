import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { NEAR_CITY_HALL, eventually, orderEvent, startDispatch, type DispatchHarness } from '../../test/dispatch-harness.js';

describe('a delivery nobody can take (component, DISPATCH_MANUAL_AFTER_SECONDS=0.3)', () => {
  let h: DispatchHarness;

  beforeAll(async () => {
    h = await startDispatch({ env: { DISPATCH_MANUAL_AFTER_SECONDS: '0.3' } });
  });

  afterAll(async () => {
    await h?.close();
  });

  const board = async (agencyId: string, apiKey: string, deliveryId: string) => {
    const response = await fetch(`${h.dispatchUrl}/v1/agencies/${agencyId}/deliveries`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(response.status).toBe(200);
    const { deliveries } = (await response.json()) as { deliveries: Array<{ id: string; status: string; needsManualDispatch: { since: string } | null }> };
    return deliveries.find((d) => d.id === deliveryId)!;
  };

  it('waits, is flagged for manual dispatch on the board, and is still offered once a rider comes online', async () => {
    const { agencyId, apiKey } = await h.agency();
    // The agency's only rider is online but too far away (beyond DISPATCH_MAX_PICKUP_METERS, 5 km).
    const { token } = await h.rider(agencyId, '먼 라이더');
    const distant = await h.online(token, { lng: 127.1, lat: 37.5665 });
    const event = orderEvent(agencyId);
    await h.publish(event);
    const { id } = await h.deliveryOf(event.orderId);

    const flagged = await eventually(async () => {
      const row = await board(agencyId, apiKey, id);
      return row.needsManualDispatch ? row : undefined;
    }, 'the delivery to be flagged for manual dispatch');
    expect(flagged.status).toBe('pending');
    const [stored] = await h.query<{ manual_dispatch_since: Date; created_at: Date }>(
      'SELECT manual_dispatch_since, created_at FROM dispatch.deliveries WHERE id = $1',
      [id],
    );
    expect(new Date(flagged.needsManualDispatch!.since)).toEqual(stored.manual_dispatch_since);
    expect(stored.manual_dispatch_since.getTime()).toBeGreaterThanOrEqual(stored.created_at.getTime() + 300);
    expect(distant.offers()).toEqual([]);

    // Automatic dispatch goes on: a rider coming online nearby gets it, and the flag goes once it is taken.
    const nearby = await h.online((await h.rider(agencyId, '가까운 라이더')).token, NEAR_CITY_HALL.m1500);
    const offer = await nearby.waitForOffer(id);
    await expect(nearby.send('offer:accept', { offerId: offer.offerId })).resolves.toMatchObject({ ok: true });
    await expect(board(agencyId, apiKey, id)).resolves.toMatchObject({ status: 'assigned', needsManualDispatch: null });
  });
});
