import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { CITY_HALL, NEAR_CITY_HALL, orderEvent, startDispatch, type DispatchHarness } from '../../test/dispatch-harness.js';

/** The agency's hands on its riders, over HTTP on the real dispatch and fee modules and PostgreSQL. */
describe('managing riders (component, real PostgreSQL)', () => {
  let h: DispatchHarness;

  beforeAll(async () => {
    h = await startDispatch();
  });

  afterAll(async () => {
    await h?.close();
  });

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
    const lost = await h.rider(agency.agencyId, '분실폰 라이더');
    const spare = await h.rider(agency.agencyId, '대기 라이더');
    const lostClient = await h.online(lost.token, NEAR_CITY_HALL.m300);
    const order = orderEvent(agency.agencyId);
    await h.publish(order);
    const offer = await lostClient.waitForOffer();
    expect((await lostClient.send('offer:accept', { offerId: offer.offerId })).ok).toBe(true);
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
});
