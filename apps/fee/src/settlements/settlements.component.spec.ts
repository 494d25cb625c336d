import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ClientProxy } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { lastValueFrom } from 'rxjs';
import request from 'supertest';
import { PATTERNS, type FeeQuote, type LngLat } from '#contracts';
import { queryRows } from '../../../../test/support/database.js';
import { registerAgency, type TestAgency } from '../../test/agencies.js';
import { sendCharge, testDelivery } from '../charges/testing/charge-events.js';
import { startFeeService, type TestFeeService } from '../../test/fee-service.js';

const cityHall = { lng: 126.978, lat: 37.5665 };
const gwanghwamun = { lng: 126.9769, lat: 37.5759 };
const gangnam = { lng: 127.0276, lat: 37.4979 };
const FROM = '2026-11-01T00:00:00+09:00';
const TO = '2026-12-01T00:00:00+09:00';
const inPeriod = (day: number) => `2026-11-${String(day).padStart(2, '0')}T12:00:00+09:00`;

/**
 * Settlement reports on the real fee module and PostgreSQL, with no map provider configured (every fee a Turf
 * estimate, so the numbers are fixed): deliveries delivered in the period by restaurant and by rider.
 */
describe('agency settlements (component, real PostgreSQL)', () => {
  let fee: TestFeeService;
  let db: TestFeeService['db'];
  let app: TestFeeService['app'];
  let client: ClientProxy;
  let agency: TestAgency;
  let otherAgency: TestAgency;
  const [restaurant1, restaurant2] = [randomUUID(), randomUUID()].sort();
  const [rider1, rider2] = [randomUUID(), randomUUID()].sort();

  const quote = (dropoff: LngLat): Promise<FeeQuote> => lastValueFrom(client.send<FeeQuote>(PATTERNS.FEE_QUOTE, { agencyId: agency.agencyId, pickup: cityHall, dropoff }));
  const deliver = async (dropoff: LngLat, restaurantId: string, riderId: string, stages: Array<'delivered' | 'cancelled'>, day = 10) => {
    const q = await quote(dropoff);
    const delivery = testDelivery(agency.agencyId, q.quoteId, { restaurantId });
    await sendCharge(client, delivery, 'assigned', inPeriod(day - 1), { riderId });
    for (const stage of stages) await sendCharge(client, delivery, stage, inPeriod(day), { riderId });
    return q;
  };
  const get = (path: string, query: Record<string, string>, who: TestAgency | null = agency) => {
    const call = request(app.getHttpServer()).get(`/v1/agencies/${agency.agencyId}/${path}`).query(query);
    return who ? call.set('Authorization', who.authorization) : call;
  };

  beforeAll(async () => {
    fee = await startFeeService();
    ({ db, app, client, agency } = fee);
    otherAgency = await registerAgency(client);

    // Turf: City Hall to Gwanghwamun is ~1.36 km (3,000 KRW); to Gangnam ~11.3 km (13,000 KRW).
    const near = await deliver(gwanghwamun, restaurant1, rider1, ['delivered']);
    const far = await deliver(gangnam, restaurant1, rider2, ['delivered'], 20);
    await deliver(gwanghwamun, restaurant2, rider1, ['delivered'], 30);
    expect([near.fee.total, far.fee.total]).toEqual([3000, 13000]);
    // Not settled: cancelled, still on the way, delivered after the period.
    await deliver(gangnam, restaurant2, rider2, ['cancelled']);
    await quote(gangnam).then((q) => sendCharge(client, testDelivery(agency.agencyId, q.quoteId, { restaurantId: restaurant2 }), 'assigned', inPeriod(10), { riderId: rider2 }));
    await deliver(gangnam, restaurant1, rider1, ['delivered'], 2);
    await queryRows(db.url, `UPDATE fee.charges SET delivered_at = '2026-12-01T00:00:00+09:00' WHERE delivered_at = $1`, [inPeriod(2)]);
    // Reconciliation found the Gangnam trip 1 km longer: +1,000 KRW on the fee and on rider pay.
    await queryRows(
      db.url,
      `INSERT INTO fee.quote_adjustments (quote_id, agency_id, provider, distance_meters, duration_seconds, attempts, total, items, rider_pay,
         rider_pay_items, fee_difference, rider_pay_difference)
       VALUES ($1, $2, 'kakao', $3, 1500, '[]', 14000, '[]', 14000, '[]', 1000, 1000)`,
      [far.quoteId, agency.agencyId, far.distanceMeters + 1000],
    );
  });

  afterAll(() => fee?.close());

  const row = (count: number, fees: number, estimatedCount: number, adjustments: number) => ({
    count,
    fees,
    riderPay: fees,
    commission: 0,
    estimatedCount,
    adjustments,
    riderPayAdjustments: adjustments,
    feesAfterAdjustments: fees + adjustments,
    riderPayAfterAdjustments: fees + adjustments,
  });

  it('settles by restaurant the deliveries delivered in the period, at their frozen fees and with adjustments', async () => {
    const body = (await get('settlements', { from: FROM, to: TO, by: 'restaurant' }).expect(200)).body;
    expect(body).toEqual({
      agencyId: agency.agencyId,
      from: '2026-10-31T15:00:00.000Z',
      to: '2026-11-30T15:00:00.000Z',
      by: 'restaurant',
      rows: [
        { restaurantId: restaurant1, ...row(2, 16000, 2, 1000) },
        { restaurantId: restaurant2, ...row(1, 3000, 1, 0) },
      ],
      totals: row(3, 19000, 3, 1000),
    });
  });

  it('settles by rider, and as CSV', async () => {
    const body = (await get('settlements', { from: FROM, to: TO, by: 'rider' }).expect(200)).body;
    expect(body.rows).toEqual([
      { riderId: rider1, ...row(2, 6000, 2, 0) },
      { riderId: rider2, ...row(1, 13000, 1, 1000) },
    ]);

    const csv = await get('settlements', { from: FROM, to: TO, by: 'rider', format: 'csv' }).expect(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="settlement-rider-2026-10-31T15:00:00.000Z-2026-11-30T15:00:00.000Z.csv"');
    expect(csv.text).toBe(
      'riderId,count,fees,riderPay,commission,estimatedCount,adjustments,riderPayAdjustments,feesAfterAdjustments,riderPayAfterAdjustments\r\n' +
        `${rider1},2,6000,6000,0,2,0,0,6000,6000\r\n` +
        `${rider2},1,13000,13000,0,1,1000,1000,14000,14000\r\n`,
    );
    const byAccept = await get('settlements', { from: FROM, to: TO, by: 'rider' }).set('Accept', 'text/csv').expect(200);
    expect(byAccept.text).toBe(csv.text);
  });

  it('shows an empty period as no rows and zero totals', async () => {
    const body = (await get('settlements', { from: '2025-01-01T00:00:00Z', to: '2025-02-01T00:00:00Z', by: 'restaurant' }).expect(200)).body;
    expect(body).toMatchObject({ rows: [], totals: row(0, 0, 0, 0) });
  });

  it.each([
    ['from', { to: TO, by: 'rider' }, undefined],
    ['from', { from: '2026-11-01', to: TO, by: 'rider' }, '2026-11-01'],
    ['from', { from: '2026-11-01T00:00:00', to: TO, by: 'rider' }, '2026-11-01T00:00:00'],
    ['from', { from: '2026-02-30T00:00:00+09:00', to: TO, by: 'rider' }, '2026-02-30T00:00:00+09:00'],
    ['to', { from: FROM, to: 'next week', by: 'rider' }, 'next week'],
    ['to', { from: TO, to: FROM, by: 'rider' }, FROM],
    ['to', { from: '2025-01-01T00:00:00Z', to: '2026-01-03T00:00:00Z', by: 'rider' }, '2026-01-03T00:00:00Z'],
    ['by', { from: FROM, to: TO }, undefined],
    ['by', { from: FROM, to: TO, by: 'day' }, 'day'],
    ['format', { from: FROM, to: TO, by: 'rider', format: 'xml' }, 'xml'],
  ])('rejects a bad %s naming it', async (field, query, value) => {
    const body = (await get('settlements', query as Record<string, string>).expect(400)).body;
    // JSON leaves out an absent value.
    expect(body.error).toEqual({ code: 'VALIDATION_FAILED', message: expect.any(String), details: [{ field, ...(value === undefined ? {} : { value }), reason: expect.any(String) }] });
  });

  it('checks the adjustments period too', async () => {
    const body = (await get('adjustments', { from: 'yesterday' }).expect(400)).body;
    expect(body.error.details.map((d: { field: string }) => d.field)).toEqual(['from', 'to']);
  });

  it("refuses another agency's key as not found and no key as unauthenticated", async () => {
    for (const path of ['settlements', 'adjustments']) {
      expect((await get(path, { from: FROM, to: TO, by: 'rider' }, otherAgency).expect(404)).body.error.code).toBe('AGENCY_NOT_FOUND');
      expect((await get(path, { from: FROM, to: TO, by: 'rider' }, null).expect(401)).body.error.code).toBe('UNAUTHENTICATED');
    }
  });
});
