import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { ClientProxyFactory, type ClientProxy } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { lastValueFrom } from 'rxjs';
import request from 'supertest';
import { PATTERNS, type FeeQuote, type LngLat } from '#contracts';
import { MAP_CHAIN, straightLineMeters, type MapChain } from '#maps';
import { clientOptions } from '#messaging';
import { startService } from '#platform';
import { FakeKakao, fakeProvidersEnv } from '../../../../libs/maps/src/testing/index.js';
import { createTestDatabase, queryRows } from '../../../../test/support/database.js';
import { testConfig } from '../../../../test/support/config.js';
import { eventually } from '../../../../test/support/eventually.js';
import { registerAgency, type TestAgency } from '../../test/agencies.js';
import { sendCharge, testDelivery } from '../charges/testing/charge-events.js';
import { FeeModule } from '../fee.module.js';
import { ReconciliationRepository } from './reconciliation.repository.js';
import { RECONCILE_RETRY, ReconciliationService } from './reconciliation.service.js';

const cityHall = { lng: 126.978, lat: 37.5665 };
let trip = 0;
/**
 * Distinct trips (the route cache never answers for another) of over 7 km: Kakao's fake road (straight line x 1.4)
 * is then over 500 m longer than the Turf estimate (x 1.3), at least one more distance step.
 */
const nextDropoff = (): LngLat => ({ lng: 127.0 + trip++ * 0.003, lat: 37.5 });
/** The default tariff: 3,000 KRW to 1.5 km, 500 KRW per started 500 m beyond, no commission. */
const defaultFee = (meters: number) => 3000 + Math.max(0, Math.ceil((meters - 1500) / 500)) * 500;

type TestDatabase = Awaited<ReturnType<typeof createTestDatabase>>;

/**
 * One fee service against a fake Kakao (Naver has no keys), on its own database, or on `shared.db` (another
 * instance of the same service, which leaves the database to its owner).
 */
async function feeService(env: Record<string, string>, shared?: { db: TestDatabase }) {
  const kakao = await new FakeKakao().start();
  const db = shared?.db ?? (await createTestDatabase());
  const config = await testConfig({
    ...fakeProvidersEnv({ kakao }),
    MAP_PROVIDER_TIMEOUT_MS: '300',
    MAP_BREAKER_CONSECUTIVE: '1',
    MAP_BREAKER_RESET_MS: '1000',
    RECONCILE_INTERVAL_MS: '3600000',
    ...env,
  });
  const app = await startService({ service: 'fee', module: FeeModule.forRoot(config, db.url), config });
  const client = ClientProxyFactory.create(clientOptions(config, 'fee'));
  const agency = await registerAgency(client);
  const maps = app.get<MapChain>(MAP_CHAIN);
  return {
    kakao,
    db,
    app,
    client,
    agency,
    sut: app.get(ReconciliationService),
    quote: (dropoff = nextDropoff()) => lastValueFrom(client.send<FeeQuote>(PATTERNS.FEE_QUOTE, { agencyId: agency.agencyId, pickup: cityHall, dropoff })),
    /** Quotes while Kakao is down: each is a Turf estimate. */
    estimatedQuotes: async (n: number, dropoff: () => LngLat = nextDropoff) => {
      kakao.fault = { kind: 'server_error' };
      const quotes: FeeQuote[] = [];
      for (let i = 0; i < n; i++) quotes.push(await lastValueFrom(client.send<FeeQuote>(PATTERNS.FEE_QUOTE, { agencyId: agency.agencyId, pickup: cityHall, dropoff: dropoff() })));
      for (const q of quotes) expect(q).toMatchObject({ provider: 'turf', estimated: true });
      return quotes;
    },
    /** Kakao answers again and its breaker has let go. */
    kakaoBack: async () => {
      kakao.fault = { kind: 'none' };
      await eventually(() => maps.realRoutingAvailable() || undefined, "Kakao's breaker to half-open");
    },
    directions: () => kakao.count('/v1/directions'),
    close: async () => {
      await client.close();
      await app.close();
      if (!shared) await db.drop();
      await kakao.stop();
    },
  };
}
type FeeService = Awaited<ReturnType<typeof feeService>>;

/** Starts a fee service for the enclosing describe block and stops it after; use the returned getter in its tests. */
function usingFeeService(env: Record<string, string> = {}): () => FeeService {
  let fee: FeeService | undefined;
  beforeAll(async () => {
    fee = await feeService(env);
  });
  afterAll(() => fee?.close());
  return () => fee as FeeService;
}

const delivered = async (fee: FeeService, q: FeeQuote, restaurantId = randomUUID()) => {
  const delivery = testDelivery(fee.agency.agencyId, q.quoteId, { restaurantId });
  const riderId = randomUUID();
  await sendCharge(fee.client, delivery, 'assigned', new Date(Date.now() - 30 * 60_000), { riderId });
  await sendCharge(fee.client, delivery, 'delivered', new Date(), { riderId });
  return { ...delivery, riderId };
};

const adjustmentRows = (fee: FeeService, agency: TestAgency = fee.agency) =>
  queryRows<Record<string, unknown>>(fee.db.url, 'SELECT * FROM fee.quote_adjustments WHERE agency_id = $1 ORDER BY created_at', [agency.agencyId]);

const status = (fee: FeeService, agency: TestAgency = fee.agency) =>
  request(fee.app.getHttpServer()).get(`/v1/agencies/${agency.agencyId}/reconciliation`).set('Authorization', agency.authorization);

describe('reconciliation of estimated fees (component, fake Kakao, real PostgreSQL)', () => {
  const service = usingFeeService();

  it('re-prices charged estimates by Kakao once it is back, beside the quote, and reports the adjustments', async () => {
    const fee = service();
    const [first, second, cancelledOne, neverCharged] = await fee.estimatedQuotes(4);
    const restaurantId = randomUUID();
    const d1 = await delivered(fee, first, restaurantId);
    const d2 = await delivered(fee, second, restaurantId);
    const cancelled = testDelivery(fee.agency.agencyId, cancelledOne.quoteId);
    await sendCharge(fee.client, cancelled, 'assigned', new Date(), { riderId: randomUUID() });
    await sendCharge(fee.client, cancelled, 'cancelled', new Date());
    const originals = await queryRows(fee.db.url, 'SELECT * FROM fee.quotes WHERE id = ANY($1) ORDER BY created_at', [[first.quoteId, second.quoteId]]);

    // Kakao's breaker is open: nothing is asked, nothing reconciled.
    const asked = fee.directions();
    await expect(fee.sut.reconcileNow()).resolves.toEqual({ repriced: 0, stoppedBecause: 'real_routing_unavailable' });
    expect(fee.directions()).toBe(asked);
    expect(await adjustmentRows(fee)).toEqual([]);

    await fee.kakaoBack();
    await expect(fee.sut.reconcileNow()).resolves.toEqual({ repriced: 2 });
    expect(fee.directions()).toBe(asked + 2);

    const rows = await adjustmentRows(fee);
    expect(rows.map((r) => r.quote_id)).toEqual([first.quoteId, second.quoteId]);
    for (const [row, q] of [[rows[0], first], [rows[1], second]] as const) {
      const original = originals.find((o) => o.id === q.quoteId) as Record<string, number>;
      const kakaoMeters = row.distance_meters as number;
      expect(kakaoMeters).toBe(Math.round(straightLineMeters(cityHall, { lng: original.dropoff_lng, lat: original.dropoff_lat }) * 1.4));
      expect(kakaoMeters).toBeGreaterThan(q.distanceMeters);
      expect(row).toMatchObject({
        provider: 'kakao',
        total: defaultFee(kakaoMeters),
        rider_pay: defaultFee(kakaoMeters),
        fee_difference: defaultFee(kakaoMeters) - q.fee.total,
        rider_pay_difference: defaultFee(kakaoMeters) - q.riderPay.total,
        attempts: [expect.objectContaining({ provider: 'kakao', outcome: 'ok' })],
        items: expect.arrayContaining([expect.objectContaining({ code: 'BASE', amount: 3000 })]),
      });
      expect(row.fee_difference).toBeGreaterThanOrEqual(500);
    }
    // The quotes themselves are never rewritten.
    expect(await queryRows(fee.db.url, 'SELECT * FROM fee.quotes WHERE id = ANY($1) ORDER BY created_at', [[first.quoteId, second.quoteId]])).toEqual(originals);
    expect(await queryRows(fee.db.url, 'SELECT count(*)::int AS n FROM fee.quote_adjustments WHERE quote_id = ANY($1)', [[cancelledOne.quoteId, neverCharged.quoteId]])).toEqual([{ n: 0 }]);

    // Nothing is left: the next pass asks nobody.
    await expect(fee.sut.reconcileNow()).resolves.toEqual({ repriced: 0 });
    expect(fee.directions()).toBe(asked + 2);

    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const url = `/v1/agencies/${fee.agency.agencyId}/adjustments`;
    const json = (await request(fee.app.getHttpServer()).get(url).query({ from, to }).set('Authorization', fee.agency.authorization).expect(200)).body;
    const feeDifference = (rows[0].fee_difference as number) + (rows[1].fee_difference as number);
    expect(json).toEqual({
      agencyId: fee.agency.agencyId,
      from,
      to,
      adjustments: [first, second].map((q, i) => ({
        quoteId: q.quoteId,
        deliveryId: [d1, d2][i].deliveryId,
        orderId: [d1, d2][i].orderId,
        restaurantId,
        riderId: [d1, d2][i].riderId,
        pricedAt: q.pricedAt,
        adjustedAt: (rows[i].created_at as Date).toISOString(),
        original: { provider: 'turf', distanceMeters: q.distanceMeters, total: q.fee.total, riderPay: q.riderPay.total },
        reconciled: { provider: 'kakao', distanceMeters: rows[i].distance_meters, total: rows[i].total, riderPay: rows[i].rider_pay },
        feeDifference: rows[i].fee_difference,
        riderPayDifference: rows[i].rider_pay_difference,
      })),
      totals: { count: 2, feeDifference, riderPayDifference: feeDifference },
    });

    const csv = await request(fee.app.getHttpServer()).get(url).query({ from, to }).set('Authorization', fee.agency.authorization).set('Accept', 'text/csv').expect(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="adjustments-${from}-${to}.csv"`);
    const lines = csv.text.split('\r\n');
    expect(lines[0]).toBe(
      'quoteId,deliveryId,orderId,restaurantId,riderId,pricedAt,adjustedAt,originalProvider,originalDistanceMeters,originalTotal,originalRiderPay,' +
        'reconciledProvider,reconciledDistanceMeters,reconciledTotal,reconciledRiderPay,feeDifference,riderPayDifference',
    );
    expect(lines[1].split(',')).toEqual([
      first.quoteId, d1.deliveryId, d1.orderId, restaurantId, d1.riderId, first.pricedAt, (rows[0].created_at as Date).toISOString(),
      'turf', String(first.distanceMeters), String(first.fee.total), String(first.riderPay.total),
      'kakao', String(rows[0].distance_meters), String(rows[0].total), String(rows[0].rider_pay),
      String(rows[0].fee_difference), String(rows[0].rider_pay_difference),
    ]);
    expect(lines.slice(3)).toEqual(['']);
    // An empty period has the header only.
    const empty = await request(fee.app.getHttpServer()).get(url).query({ from: to, to: new Date(Date.now() + 7_200_000).toISOString(), format: 'csv' }).set('Authorization', fee.agency.authorization).expect(200);
    expect(empty.text.split('\r\n')).toEqual([lines[0], '']);
  });

  it('leaves the pass to the instance holding the lock', async () => {
    const fee = service();
    const [q] = await fee.estimatedQuotes(1);
    await delivered(fee, q);
    await fee.kakaoBack();
    const other = new pg.Client({ connectionString: fee.db.url });
    await other.connect();
    try {
      await other.query("SELECT pg_advisory_lock(hashtext('baecha-fee-reconcile'))");
      const asked = fee.directions();
      await expect(fee.sut.reconcileNow()).resolves.toEqual({ repriced: 0, stoppedBecause: 'locked' });
      expect(fee.directions()).toBe(asked);
    } finally {
      await other.end();
    }
    await expect(fee.sut.reconcileNow()).resolves.toEqual({ repriced: 1 });
  });

  it('stops the pass when Kakao rate-limits it, and asks nothing until the pause is over', async () => {
    const fee = service();
    const [q] = await fee.estimatedQuotes(1);
    await delivered(fee, q);
    await fee.kakaoBack();
    fee.kakao.fault = { kind: 'rate_limit', retryAfterSeconds: 1 };
    const asked = fee.directions();
    await expect(fee.sut.reconcileNow()).resolves.toEqual({ repriced: 0, stoppedBecause: 'kakao rate_limited' });
    expect(fee.directions()).toBe(asked + 1);
    await expect(fee.sut.reconcileNow()).resolves.toEqual({ repriced: 0, stoppedBecause: 'real_routing_unavailable' });
    expect(fee.directions()).toBe(asked + 1);
    expect(await queryRows(fee.db.url, 'SELECT count(*)::int AS n FROM fee.quote_adjustments WHERE quote_id = $1', [q.quoteId])).toEqual([{ n: 0 }]);

    await fee.kakaoBack();
    await expect(fee.sut.reconcileNow()).resolves.toEqual({ repriced: 1 });
  });
});

describe('reconciliation budget (RECONCILE_PER_MINUTE=2)', () => {
  const service = usingFeeService({ RECONCILE_PER_MINUTE: '2' });

  it('spends at most the budget on provider calls, oldest quotes first', async () => {
    const fee = service();
    const quotes = await fee.estimatedQuotes(5);
    for (const q of quotes) await delivered(fee, q);
    await fee.kakaoBack();
    const asked = fee.directions();

    await expect(fee.sut.reconcileNow()).resolves.toEqual({ repriced: 2, stoppedBecause: 'budget' });
    expect(fee.directions()).toBe(asked + 2);
    expect((await adjustmentRows(fee)).map((r) => r.quote_id)).toEqual([quotes[0].quoteId, quotes[1].quoteId]);

    // The minute's budget is spent: the next pass asks nobody.
    await expect(fee.sut.reconcileNow()).resolves.toEqual({ repriced: 0, stoppedBecause: 'budget' });
    expect(fee.directions()).toBe(asked + 2);
  });
});

describe('reconciliation in the background', () => {
  const service = usingFeeService({ RECONCILE_INTERVAL_MS: '100' });

  it('reconciles by itself once Kakao is back', async () => {
    const fee = service();
    const [q] = await fee.estimatedQuotes(1);
    await delivered(fee, q);
    fee.kakao.fault = { kind: 'none' };
    const [row] = await eventually(async () => {
      const rows = await adjustmentRows(fee);
      return rows.length > 0 ? rows : undefined;
    }, 'the background pass to reconcile the quote');
    expect(row).toMatchObject({ quote_id: q.quoteId, provider: 'kakao' });
  });
});

describe("an agency's reconciliation status (GET /v1/agencies/:agencyId/reconciliation)", () => {
  const service = usingFeeService();

  it('counts charged estimated fees awaiting a real route, the oldest, and the adjustments made today', async () => {
    const fee = service();
    await status(fee).expect(200, { pending: 0, oldestPricedAt: null, failing: 0, adjustedToday: 0 });

    const [first, second, neverCharged, cancelledOne] = await fee.estimatedQuotes(4);
    await delivered(fee, first);
    const assigned = testDelivery(fee.agency.agencyId, second.quoteId);
    await sendCharge(fee.client, assigned, 'assigned', new Date(), { riderId: randomUUID() });
    const cancelled = testDelivery(fee.agency.agencyId, cancelledOne.quoteId);
    await sendCharge(fee.client, cancelled, 'assigned', new Date(), { riderId: randomUUID() });
    await sendCharge(fee.client, cancelled, 'cancelled', new Date());
    expect(neverCharged.estimated).toBe(true);

    await status(fee).expect(200, { pending: 2, oldestPricedAt: first.pricedAt, failing: 0, adjustedToday: 0 });

    // Another agency sees only its own, and its key opens nothing of this one.
    const other = await registerAgency(fee.client);
    await status(fee, other).expect(200, { pending: 0, oldestPricedAt: null, failing: 0, adjustedToday: 0 });
    await request(fee.app.getHttpServer()).get(`/v1/agencies/${fee.agency.agencyId}/reconciliation`).set('Authorization', other.authorization).expect(404);
    await request(fee.app.getHttpServer()).get(`/v1/agencies/${fee.agency.agencyId}/reconciliation`).expect(401);

    await fee.kakaoBack();
    await expect(fee.sut.reconcileNow()).resolves.toEqual({ repriced: 2 });
    await status(fee).expect(200, { pending: 0, oldestPricedAt: null, failing: 0, adjustedToday: 2 });
  });
});

describe('a charged estimate no real provider can re-price (RECONCILE_PER_MINUTE=1)', () => {
  const service = usingFeeService({ RECONCILE_PER_MINUTE: '1' });
  /** About 2 m from the pickup: Kakao refuses the trip (result_code 104, too_close) however healthy it is. */
  const besidePickup = (): LngLat => ({ lng: cityHall.lng + 0.00002, lat: cityHall.lat });
  const failureRows = (fee: FeeService) =>
    queryRows<Record<string, unknown>>(fee.db.url, 'SELECT * FROM fee.quote_reconcile_failures ORDER BY first_failed_at');

  it('is recorded as failing and left out of the next passes, so the quote behind it is reconciled', async () => {
    const fee = service();
    const [tooClose] = await fee.estimatedQuotes(1, besidePickup);
    const [behind] = await fee.estimatedQuotes(1);
    await delivered(fee, tooClose);
    await delivered(fee, behind);
    await fee.kakaoBack();
    const asked = fee.directions();

    // The minute's one call goes to the oldest, which Kakao refuses; the pass then has no budget for the next.
    await expect(fee.sut.reconcileNow()).resolves.toEqual({ repriced: 0, stoppedBecause: 'budget' });
    expect(fee.directions()).toBe(asked + 1);
    const [failure] = await failureRows(fee);
    expect(failure).toMatchObject({
      quote_id: tooClose.quoteId,
      reason: 'no_real_route',
      detail: 'kakao too_close',
      attempts: [expect.objectContaining({ provider: 'kakao', outcome: 'too_close' })],
      tries: 1,
    });
    expect((failure.next_try_at as Date).getTime() - (failure.last_tried_at as Date).getTime()).toBe(3_600_000);
    await status(fee).expect(200, { pending: 1, oldestPricedAt: behind.pricedAt, failing: 1, adjustedToday: 0 });

    // Another instance with its own minute's budget of one spends it on the quote behind, not on the failing one.
    const other = await feeService({ RECONCILE_PER_MINUTE: '1' }, { db: fee.db });
    try {
      await other.sut.idle();
      await other.sut.reconcileNow();
      expect(other.directions()).toBe(1);
    } finally {
      await other.close();
    }
    expect((await adjustmentRows(fee)).map((r) => r.quote_id)).toEqual([behind.quoteId]);
    expect(await failureRows(fee)).toEqual([failure]);

    // Nothing is due here either: the pass needs no budget and asks nobody.
    await expect(fee.sut.reconcileNow()).resolves.toEqual({ repriced: 0 });
    expect(fee.directions()).toBe(asked + 1);
    await status(fee).expect(200, { pending: 0, oldestPricedAt: null, failing: 1, adjustedToday: 1 });
  });

  it('is tried again 1, 2, 4 and 8 hours after each failure, then no more', async () => {
    const fee = service();
    const [q] = await fee.estimatedQuotes(1, besidePickup);
    await delivered(fee, q);
    const repository = fee.app.get(ReconciliationRepository);
    const due = async (now: Date) => (await repository.pending(50, now)).some((p) => p.id === q.quoteId);
    const hours = (n: number, from: Date) => new Date(from.getTime() + n * 3_600_000);
    const failure = { quoteId: q.quoteId, reason: 'no_real_route' as const, detail: 'kakao too_close', attempts: [] };

    let now = new Date();
    expect(await due(now)).toBe(true);
    for (const [tries, wait] of [[1, 1], [2, 2], [3, 4], [4, 8]]) {
      const next = hours(wait, now);
      await expect(repository.recordFailure(failure, now, RECONCILE_RETRY)).resolves.toEqual({ tries, nextTryAt: next });
      expect(await due(new Date(next.getTime() - 1))).toBe(false);
      expect(await due(next)).toBe(true);
      now = next;
    }
    await expect(repository.recordFailure(failure, now, RECONCILE_RETRY)).resolves.toEqual({ tries: 5, nextTryAt: null });
    expect(await due(hours(1000, now))).toBe(false);
  });
});
