import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, NEAR_CITY_HALL, orderEvent, startDispatch, type DispatchHarness } from '../../test/dispatch-harness.js';
import { AgencyLeasesRepository } from './agency-leases.repository.js';
import { AgencyLeases } from './agency-leases.service.js';

/**
 * An owner that has not heard its lease was taken over (it renews only every minute here, as one paused would):
 * PostgreSQL refuses its offers of that agency, while its other agency's go on.
 */
describe('a dispatch instance whose lease was taken over (component, real PostgreSQL)', () => {
  let h: DispatchHarness;

  beforeAll(async () => {
    h = await startDispatch({ env: { DISPATCH_LEASE_SECONDS: '600', DISPATCH_LEASE_RENEW_MS: '60000' } });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('cannot commit an offer of that agency: its transaction aborts and nothing is written', async () => {
    const lost = await h.agency('넘겨준 대행');
    const kept = await h.agency('남은 대행');
    const lostRider = await h.rider(lost.agencyId, '넘겨준 라이더');
    const keptRider = await h.rider(kept.agencyId, '남은 라이더');
    const [lostOrder, keptOrder] = [orderEvent(lost.agencyId), orderEvent(kept.agencyId)];
    await h.publish(lostOrder);
    await h.publish(keptOrder);
    // Priced, and waiting: no rider is online yet.
    for (const order of [lostOrder, keptOrder]) await eventually(async () => (await h.deliveryOf(order.orderId)).fee ?? undefined, 'the delivery priced');
    const leases = h.dispatch.get(AgencyLeases);
    const before = leases.status().leases.find((l) => l.agencyId === lost.agencyId)!;

    // Another instance takes the agency over after its lease ran out; this one has not renewed since.
    await h.query(`INSERT INTO dispatch.instances (id, expires_at) VALUES ('other', now() + interval '10 minutes')`);
    await h.query(`UPDATE dispatch.agency_leases SET expires_at = now() - interval '1 second' WHERE agency_id = $1`, [lost.agencyId]);
    await expect(new AgencyLeasesRepository(h.dataSource).claim('other', 600, [lost.agencyId])).resolves.toEqual([
      { agencyId: lost.agencyId, epoch: before.epoch + 1, previous: leases.instance },
    ]);
    expect(leases.owns(lost.agencyId)).toBe(true);

    const lostClient = await h.online(lostRider.token, NEAR_CITY_HALL.m300);
    const keptClient = await h.online(keptRider.token, NEAR_CITY_HALL.m300);
    await keptClient.waitForOffer();
    // The refused round made it renew: it has learnt the agency is gone and plans it no more.
    await eventually(() => !leases.owns(lost.agencyId), 'the lost lease noticed');

    const lostDelivery = await h.deliveryOf(lostOrder.orderId);
    expect(lostDelivery.status).toBe('pending');
    expect(await h.query('SELECT id FROM dispatch.offers WHERE delivery_id = $1', [lostDelivery.id])).toEqual([]);
    expect(lostClient.offers()).toEqual([]);
    expect(await h.query('SELECT holder, epoch::int FROM dispatch.agency_leases WHERE agency_id = $1', [lost.agencyId])).toEqual([
      { holder: 'other', epoch: before.epoch + 1 },
    ]);
  });
});
