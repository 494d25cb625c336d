import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FakeKakao, fakeProvidersEnv } from '../libs/maps/src/testing/index.js';
import { Restaurant, Rider } from './support/actors.js';
import { eventually, startStack, type Stack, type Tenants } from './support/stack.js';

/** About 4 km east of the test restaurant at City Hall, as the crow flies. */
const EAST_4KM = { address: '서울특별시 성동구 왕십리로 222', lng: 127.023, lat: 37.5665 };

interface Adjustments {
  adjustments: Array<{
    deliveryId: string;
    riderId: string;
    original: { provider: string; distanceMeters: number; total: number; riderPay: number };
    reconciled: { provider: string; distanceMeters: number; total: number; riderPay: number };
    feeDifference: number;
    riderPayDifference: number;
  }>;
  totals: { count: number; feeDifference: number };
}

/**
 * The 2022 weekend, in small: Kakao is down, so a delivery is priced on the Turf estimate and carried; when Kakao
 * answers again, fee re-prices it by Kakao's road distance on its own and records the difference beside the
 * original, which the agency sees in its adjustments and settlement. Three built services, driven from outside.
 */
describe('reconciliation after a Kakao outage (system, fake Kakao)', () => {
  const kakao = new FakeKakao();
  let stack: Stack;
  let tenants: Tenants;
  let rider: Rider | undefined;

  beforeAll(async () => {
    await kakao.start();
    kakao.fault = { kind: 'server_error', status: 503 };
    // Kakao's roads wind more than the estimate's default 1.3, so the real fee is higher.
    kakao.detourFactor = 1.6;
    stack = await startStack({ transport: 'tcp', env: { ...fakeProvidersEnv({ kakao }), MAP_BREAKER_RESET_MS: '500', RECONCILE_INTERVAL_MS: '300' } });
    tenants = await stack.tenants('복구 테스트 대행', ['라이더']);
  }, 120_000);

  afterAll(async () => {
    rider?.disconnect();
    await stack?.stop();
    await kakao.stop();
  });

  const agencyGet = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${stack.url('fee')}/v1/agencies/${tenants.agency.agencyId}${path}`, {
      headers: { authorization: `Bearer ${tenants.agency.apiKey}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };

  it('prices on the estimate during the outage, then records the real fee and the difference once Kakao is back', async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    rider = await Rider.connect(stack.url('dispatch'), tenants.riders[0].token);
    await expect(rider.ask('location', { lng: 126.9785, lat: 37.567 })).resolves.toMatchObject({ ok: true });

    const restaurant: Restaurant = tenants.restaurant;
    const sent = await restaurant.send({ dropoff: EAST_4KM });
    expect(sent.status).toBe(202);
    const offer = await eventually(async () => rider!.offers[0], 'an offer priced during the outage', 30_000);
    // ~3.97 km × 1.3 ≈ 5.16 km: 3,000 + 8 started 500 m steps beyond 1.5 km.
    expect(offer.fee).toBe(7000);
    await expect(rider.ask('offer:accept', { offerId: offer.offerId })).resolves.toMatchObject({ ok: true });
    await expect(rider.ask('delivery:pickedUp', { deliveryId: offer.deliveryId })).resolves.toMatchObject({ ok: true });
    await expect(rider.ask('delivery:delivered', { deliveryId: offer.deliveryId })).resolves.toMatchObject({ ok: true });
    // The fee reaches intake with dispatch's status events, a moment after the rider's answers.
    const order = await eventually(async () => {
      const read = await restaurant.order<{ fee: { provider: string; estimated: boolean; total: number } | null }>(sent.body.orderId);
      return read.fee ? read : undefined;
    }, 'the fee on the order');
    expect(order.fee).toMatchObject({ provider: 'turf', estimated: true, total: 7000 });

    const asked = kakao.count();
    kakao.fault = { kind: 'none' };
    const to = () => new Date(Date.now() + 60_000).toISOString();
    const seen = await eventually(async () => {
      const body = await agencyGet<Adjustments>(`/adjustments?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to())}`);
      return body.adjustments.length > 0 ? body : undefined;
    }, 'an adjustment once Kakao answers again', 30_000);

    // ~3.97 km × 1.6 ≈ 6.35 km: 10 steps, 8,000 KRW; the agency charges 1,000 KRW more than the estimate said.
    expect(seen.adjustments).toEqual([
      expect.objectContaining({
        deliveryId: offer.deliveryId,
        riderId: tenants.riders[0].riderId,
        original: expect.objectContaining({ provider: 'turf', total: 7000, riderPay: 7000 }),
        reconciled: expect.objectContaining({ provider: 'kakao', total: 8000, riderPay: 8000 }),
        feeDifference: 1000,
        riderPayDifference: 1000,
      }),
    ]);
    expect(seen.adjustments[0].reconciled.distanceMeters).toBeGreaterThan(seen.adjustments[0].original.distanceMeters);
    expect(kakao.count()).toBe(asked + 1);

    const settlement = await agencyGet<{ rows: Array<Record<string, unknown>> }>(
      `/settlements?by=rider&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to())}`,
    );
    expect(settlement.rows).toEqual([
      expect.objectContaining({ riderId: tenants.riders[0].riderId, count: 1, fees: 7000, estimatedCount: 1, adjustments: 1000, feesAfterAdjustments: 8000 }),
    ]);

    // The restaurant's record of the fee it was told is never rewritten.
    expect((await restaurant.order<{ fee: { total: number } }>(sent.body.orderId)).fee.total).toBe(7000);
  });
});
