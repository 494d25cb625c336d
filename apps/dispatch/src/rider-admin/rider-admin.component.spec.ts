import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { CITY_HALL, eventually, NEAR_CITY_HALL, orderEvent, startDispatch, type DispatchHarness } from '../../test/dispatch-harness.js';
import { setRiderDisabled } from './rider-admin.provisioning.js';

/**
 * The agency's hands on its riders, over HTTP on the real dispatch and fee modules and PostgreSQL; and the admin
 * CLI's disable, which reaches the running dispatch only through the database (checked again every 200 ms here).
 */
describe('managing riders (component, real PostgreSQL)', () => {
  let h: DispatchHarness;

  beforeAll(async () => {
    h = await startDispatch({ env: { RIDER_RECHECK_INTERVAL_MS: '200' } });
  });

  afterAll(async () => {
    await h?.close();
  });

  /** A rider online near City Hall that accepted the offer of a new order of the agency. */
  const riderWithJob = async (agencyId: string, name: string) => {
    const rider = await h.rider(agencyId, name);
    const client = await h.online(rider.token, NEAR_CITY_HALL.m300);
    const order = orderEvent(agencyId);
    await h.publish(order);
    const offer = await client.waitForOffer();
    expect((await client.send('offer:accept', { offerId: offer.offerId })).ok).toBe(true);
    return { rider, client, order, offer };
  };

  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const response = await fetch(`${h.dispatchUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };

  it('creates and edits riders, refusing bad fields, unknown riders and another agency', async () => {
    const agency = await h.agency();
    const base = `/v1/agencies/${agency.agencyId}/riders`;
    const created = await call('POST', base, agency.apiKey, { name: ' 박라이더 ', capacity: 2 });
    expect(created).toEqual({ status: 201, body: { id: expect.any(String), name: '박라이더', capacity: 2, disabled: false, token: expect.stringMatching(/^rt_/) } });
    const client = await h.connect(created.body.token);
    expect(client.socket.connected).toBe(true);

    expect((await call('PATCH', `${base}/${created.body.id}`, agency.apiKey, { capacity: 4 })).body).toEqual({ id: created.body.id, name: '박라이더', capacity: 4, disabled: false });
    const bad = await call('PATCH', `${base}/${created.body.id}`, agency.apiKey, { name: '  ', capacity: 51 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'name', value: '  ' }), expect.objectContaining({ field: 'capacity', value: 51, reason: 'must be an integer from 1 to 50' })]),
    );
    expect((await call('PATCH', `${base}/${randomUUID()}`, agency.apiKey, { capacity: 4 })).body.error.code).toBe('RIDER_NOT_FOUND');
    const other = await h.agency('남의 대행');
    expect((await call('POST', `${base}/${created.body.id}/disable`, other.apiKey)).body.error.code).toBe('AGENCY_NOT_FOUND');
    expect((await call('POST', `/v1/agencies/${other.agencyId}/riders/${created.body.id}/disable`, other.apiKey)).body.error.code).toBe('RIDER_NOT_FOUND');
    const listed = await h.agencyRiders(agency.agencyId, agency.apiKey);
    expect(listed).toEqual([expect.objectContaining({ id: created.body.id, capacity: 4, disabled: false, online: true })]);
  });

  it('disables a rider mid-shift: its socket closes, its token is refused, its job is offered to another rider; enabled, it works again', async () => {
    const agency = await h.agency();
    const base = `/v1/agencies/${agency.agencyId}/riders`;
    const { rider: lost, client: lostClient, order, offer } = await riderWithJob(agency.agencyId, '분실폰 라이더');
    const spare = await h.rider(agency.agencyId, '대기 라이더');
    const spareClient = await h.online(spare.token, CITY_HALL);

    const closed = new Promise((resolve) => lostClient.socket.once('disconnect', resolve));
    const disabled = await call('POST', `${base}/${lost.riderId}/disable`, agency.apiKey);
    expect(disabled).toEqual({ status: 200, body: { id: lost.riderId, name: '분실폰 라이더', capacity: 3, disabled: true, handedBack: [offer.deliveryId] } });
    await expect(closed).resolves.toBe('io server disconnect');
    await expect(h.connect(lost.token)).rejects.toThrow();

    const again = await spareClient.waitForOffer(offer.deliveryId);
    expect((await spareClient.send('offer:accept', { offerId: again.offerId })).ok).toBe(true);
    expect((await h.deliveryOf(order.orderId)).rider_id).toBe(spare.riderId);

    const log = await call('GET', `/v1/agencies/${agency.agencyId}/audit-log`, agency.apiKey);
    expect(log.body.entries.map((e: { action: string; subject: string }) => [e.action, e.subject])).toEqual([
      ['delivery.unassigned', offer.deliveryId],
      ['rider.disabled', lost.riderId],
    ]);

    expect((await call('POST', `${base}/${lost.riderId}/enable`, agency.apiKey)).body).toMatchObject({ disabled: false });
    expect((await h.connect(lost.token)).socket.connected).toBe(true);
  });

  it("admin CLI's disable, written to the database beside a running dispatch: hands the rider's assigned job back in the same transaction, and the running dispatch offers it to another rider", async () => {
    const agency = await h.agency();
    const { rider: lost, client: lostClient, order, offer } = await riderWithJob(agency.agencyId, '분실폰 라이더');
    const spare = await h.rider(agency.agencyId, '대기 라이더');
    const spareClient = await h.online(spare.token, CITY_HALL);

    const disabled = await setRiderDisabled(h.dataSource, lost.riderId, true, { label: 'admin CLI' });
    expect(disabled).toEqual({ id: lost.riderId, agencyId: agency.agencyId, name: '분실폰 라이더', capacity: 3, disabled: true, changed: true, handedBack: [offer.deliveryId] });

    const steps = await h.query<{ from_status: string; to_status: string; actor_type: string; reason: string | null }>(
      'SELECT from_status, to_status, actor_type, reason FROM dispatch.delivery_transitions WHERE delivery_id = $1 ORDER BY at, id',
      [offer.deliveryId],
    );
    expect(steps).toContainEqual({ from_status: 'assigned', to_status: 'pending', actor_type: 'agency', reason: 'the rider was disabled by the agency' });
    expect(await h.statusEvents(order.orderId)).toContainEqual(expect.objectContaining({ status: 'unassigned', deliveryId: offer.deliveryId, reason: 'the rider was disabled by the agency' }));
    const [entry] = await h.query<{ actor: string; details: Record<string, unknown> }>(`SELECT actor, details FROM dispatch.audit_log WHERE action = 'rider.disabled' AND subject = $1`, [lost.riderId]);
    expect(entry).toEqual({ actor: 'admin CLI', details: { name: '분실폰 라이더', handedBack: [offer.deliveryId] } });

    // The running dispatch learns nothing from the CLI but the database: its next round offers the job to the spare.
    const again = await spareClient.waitForOffer(offer.deliveryId);
    expect((await spareClient.send('offer:accept', { offerId: again.offerId })).ok).toBe(true);
    expect((await h.deliveryOf(order.orderId)).rider_id).toBe(spare.riderId);
    expect(lostClient.offers().filter((o) => o.deliveryId === offer.deliveryId)).toHaveLength(1);

    // The running dispatch finds the disable in the database and closes the socket the rider had open, saying why;
    // a new connection is refused.
    await expect(lostClient.waitFor('session:ended')).resolves.toEqual({ code: 'RIDER_DISABLED', message: 'the agency disabled this rider' });
    await eventually(async () => (lostClient.socket.connected ? undefined : true), "the disabled rider's socket closed", 15_000);
    await expect(h.connect(lost.token)).rejects.toThrow();
    expect(spareClient.socket.connected).toBe(true);

    // Disabling again changes and hands back nothing.
    expect(await setRiderDisabled(h.dataSource, lost.riderId, true, { label: 'admin CLI' })).toMatchObject({ changed: false, handedBack: [] });
  });

  it("admin CLI's disable locks the delivery before the rider, as dispatch does, so an accept under way does not deadlock with it", async () => {
    const agency = await h.agency();
    const { rider, offer } = await riderWithJob(agency.agencyId, '잠금 순서 라이더');
    // What an accept or a manual assignment does: the delivery's row first, then (the capacity trigger) the rider's.
    const accept = h.dataSource.createQueryRunner();
    await accept.connect();
    await accept.startTransaction();
    try {
      await accept.query('SELECT id FROM dispatch.deliveries WHERE id = $1 FOR UPDATE', [offer.deliveryId]);
      const disabling = setRiderDisabled(h.dataSource, rider.riderId, true, { label: 'admin CLI' });
      await eventually(
        async () => ((await h.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`)).length > 0 ? true : undefined),
        'the disable waiting for the delivery',
        15_000,
      );
      // Had the disable taken the rider first, this would wait for it while it waits for the delivery: a deadlock.
      await accept.query('SELECT id FROM dispatch.riders WHERE id = $1 FOR NO KEY UPDATE', [rider.riderId]);
      await accept.commitTransaction();
      await expect(disabling).resolves.toMatchObject({ disabled: true, changed: true, handedBack: [offer.deliveryId] });
    } finally {
      if (accept.isTransactionActive) await accept.rollbackTransaction();
      await accept.release();
    }
  });

  it("admin CLI's disable leaves a job already picked up with its rider", async () => {
    const agency = await h.agency();
    const { rider, client, order, offer } = await riderWithJob(agency.agencyId, '픽업한 라이더');
    expect((await client.send('delivery:pickedUp', { deliveryId: offer.deliveryId })).ok).toBe(true);

    expect((await setRiderDisabled(h.dataSource, rider.riderId, true, { label: 'admin CLI' })).handedBack).toEqual([]);
    expect(await h.deliveryOf(order.orderId)).toMatchObject({ status: 'picked_up', rider_id: rider.riderId });
  });

  it('refuses the accept of an offer a rider held when it was disabled, even before its socket is closed', async () => {
    const agency = await h.agency();
    const rider = await h.rider(agency.agencyId, '제안을 쥔 라이더');
    const client = await h.online(rider.token, NEAR_CITY_HALL.m300);
    const order = orderEvent(agency.agencyId);
    await h.publish(order);
    const offer = await client.waitForOffer();

    await setRiderDisabled(h.dataSource, rider.riderId, true, { label: 'admin CLI' });
    // At once, before dispatch's check closes the socket: refused (or the socket is already gone).
    const answer = await client.send('offer:accept', { offerId: offer.offerId }).catch((error: Error) => ({ ok: false, code: error.message }));
    expect(answer).toMatchObject({ ok: false });
    expect((await h.deliveryOf(order.orderId)).rider_id).toBeNull();
  });
});
