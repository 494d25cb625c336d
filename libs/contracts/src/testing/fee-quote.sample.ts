import type { FeeQuote } from '../fee-quote/fee-quote.request.js';

/** A `fee.quote` reply as the fee service sends it for a Turf estimate (3,000 KRW), for specs; `changes` on top. */
export function sampleFeeQuote(changes: Partial<FeeQuote> = {}): FeeQuote {
  return {
    quoteId: '9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c04',
    agencyId: '4a1d0f2e-5c6b-4e7d-8a9f-1b2c3d4e5f03',
    tariffVersion: 1,
    pricedAt: '2026-11-22T03:15:55.349Z',
    distanceBasis: 'route',
    distanceMeters: 1362,
    durationSeconds: 245,
    provider: 'turf',
    estimated: true,
    detourFactor: 1.3,
    factorSource: 'default',
    cached: false,
    attempts: [{ provider: 'turf', outcome: 'ok', ms: 0 }],
    fee: { total: 3000, currency: 'KRW', items: [{ code: 'BASE', label: '기본요금', amount: 3000 }] },
    riderPay: { total: 2700, currency: 'KRW', items: [{ code: 'FEE', label: '배달료', amount: 3000 }, { code: 'COMMISSION', label: '수수료', amount: -300 }] },
    ...changes,
  };
}
