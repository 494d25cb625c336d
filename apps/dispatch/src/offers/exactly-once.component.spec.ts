import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { NEAR_CITY_HALL, orderEvent, startDispatch, type DispatchHarness } from '../../test/dispatch-harness.js';
import { RIDER_CAPACITY_CONSTRAINT } from '../migrations/1764201700000-dispatch-offer-policies.js';

/** Assignments exactly once and never beyond a rider's capacity, held by PostgreSQL as well as by the code. */
describe('exactly-once assignment and rider capacity (component, real PostgreSQL)', () => {
  let h: DispatchHarness;

  beforeAll(async () => {
    h = await startDispatch();
  });

  afterAll(async () => {
    await h?.close();
  });

  it('assigns once when one offer is accepted from 50 sockets of one rider at the same moment', async () => {
    const { agencyId } = await h.agency();
    const { token, riderId } = await h.rider(agencyId, '기기 많은 라이더');
    const devices = [await h.online(token, NEAR_CITY_HALL.m300)];
    for (let i = 1; i < 50; i++) devices.push(await h.connect(token));
    const event = orderEvent(agencyId);
    await h.publish(event);
    const offers = await Promise.all(devices.map((d) => d.waitForOffer()));
    expect(new Set(offers.map((o) => o.offerId)).size).toBe(1);

    const replies = await Promise.all(devices.map((d) => d.send('offer:accept', { offerId: offers[0].offerId })));
    expect(replies.filter((r) => r.ok)).toHaveLength(1);
    expect(replies.filter((r) => !r.ok)).toEqual(
      Array(49).fill(expect.objectContaining({ code: 'OFFER_TAKEN', details: { deliveryId: offers[0].deliveryId, assignedToYou: true } })),
    );
    expect(await h.deliveryOf(event.orderId)).toMatchObject({ status: 'assigned', rider_id: riderId });
    expect((await h.statusEvents(event.orderId)).filter((e) => e.status === 'assigned')).toHaveLength(1);
  });

  it('assigns one of two deliveries when a rider with room for one accepts both offers at once', async () => {
    const { agencyId } = await h.agency();
    const rider = await h.rider(agencyId, '한 자리 라이더', 2);
    const [a, b] = [orderEvent(agencyId), orderEvent(agencyId)];
    await h.publish(a);
    await h.publish(b);
    // Both priced and waiting before the rider comes online, so one round plans them together and offers both. (One
    // offered before the other existed would make the rider busy with it, and the other is held for later.)
    await h.priced([a.orderId, b.orderId]);
    const [deliveryA, deliveryB] = [await h.deliveryOf(a.orderId), await h.deliveryOf(b.orderId)];
    const client = await h.online(rider.token, NEAR_CITY_HALL.m300);
    const offerA = await client.waitForOffer(deliveryA.id);
    const offerB = await client.waitForOffer(deliveryB.id);
    // The agency cuts the rider to one place while it holds both offers.
    await h.query('UPDATE dispatch.riders SET capacity = 1 WHERE id = $1', [rider.riderId]);

    const replies = await Promise.all([offerA, offerB, offerA, offerB].map((o) => client.send('offer:accept', { offerId: o.offerId })));
    const accepted = replies.filter((r) => r.ok);
    expect(accepted).toHaveLength(1);
    expect(replies.filter((r) => !r.ok && r.code === 'RIDER_AT_CAPACITY')).toEqual(
      expect.arrayContaining([expect.objectContaining({ details: { active: 1, capacity: 1 } })]),
    );
    const active = await h.query('SELECT id FROM dispatch.deliveries WHERE rider_id = $1 AND status IN ($2, $3)', [rider.riderId, 'assigned', 'picked_up']);
    expect(active).toHaveLength(1);
  });

  it('refuses in the database an assignment beyond the rider\'s capacity, also when two transactions race', async () => {
    const { agencyId } = await h.agency();
    const rider = await h.rider(agencyId, 'SQL 라이더', 1);
    // Two waiting deliveries nobody can be offered (no rider is online in this agency).
    const [a, b] = [orderEvent(agencyId), orderEvent(agencyId)];
    await h.publish(a);
    await h.publish(b);
    const [first, second] = [await h.deliveryOf(a.orderId), await h.deliveryOf(b.orderId)];
    // Priced by hand if fee has not priced them yet (a new agency's tariff may still be on its way to fee).
    const assign = `UPDATE dispatch.deliveries SET status = 'assigned', rider_id = $1, assigned_at = now(),
                       fee = coalesce(fee, '{"total": 0}'), pricing_problem = NULL
                     WHERE id = $2`;

    // Two transactions each assign one delivery to the rider with room for one: the second waits for the
    // first's lock on the rider and is refused once the first commits.
    const [one, two] = [new pg.Client({ connectionString: h.databaseUrl }), new pg.Client({ connectionString: h.databaseUrl })];
    await one.connect();
    await two.connect();
    try {
      await one.query('BEGIN');
      await two.query('BEGIN');
      await one.query(assign, [rider.riderId, first.id]);
      const racing = two.query(assign, [rider.riderId, second.id]).then(
        () => undefined,
        (error: { constraint?: string; message: string }) => error,
      );
      await one.query('COMMIT');
      const refused = await racing;
      expect(refused).toMatchObject({ constraint: RIDER_CAPACITY_CONSTRAINT, message: expect.stringContaining('already carries 1 of 1') });
      await two.query('ROLLBACK');
    } finally {
      await one.end();
      await two.end();
    }

    // And plainly, one statement at a time.
    await expect(h.query(assign, [rider.riderId, second.id])).rejects.toMatchObject({ constraint: RIDER_CAPACITY_CONSTRAINT });
    expect(await h.query('SELECT id FROM dispatch.deliveries WHERE rider_id = $1', [rider.riderId])).toEqual([{ id: first.id }]);
    // Room again once the first is delivered.
    await h.query(`UPDATE dispatch.deliveries SET status = 'picked_up', picked_up_at = now() WHERE id = $1`, [first.id]);
    await h.query(`UPDATE dispatch.deliveries SET status = 'delivered', delivered_at = now() WHERE id = $1`, [first.id]);
    await expect(h.query(assign, [rider.riderId, second.id])).resolves.toEqual([]);
  });
});
