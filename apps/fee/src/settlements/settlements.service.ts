import { Injectable } from '@nestjs/common';
import { toCsv } from '#platform';
import type { PeriodQuery, SettlementQuery } from './settlement-query.js';
import { SettlementsRepository, type AdjustmentRow, type SettlementSums } from './settlements.repository.js';

/** A report as JSON, or as a CSV file to download. */
export type Report = { format: 'json'; body: object } | { format: 'csv'; filename: string; body: string };

export interface AdjustmentsView {
  agencyId: string;
  from: string;
  to: string;
  adjustments: Array<Omit<AdjustmentRow, 'pricedAt' | 'adjustedAt'> & { pricedAt: string; adjustedAt: string }>;
  totals: { count: number; feeDifference: number; riderPayDifference: number };
}

export type SettlementRow = SettlementSums & { commission: number; feesAfterAdjustments: number; riderPayAfterAdjustments: number };

export interface SettlementView {
  agencyId: string;
  from: string;
  to: string;
  by: SettlementQuery['by'];
  rows: Array<({ restaurantId: string | null } | { riderId: string | null }) & SettlementRow>;
  totals: SettlementRow;
}

const SUMS: ReadonlyArray<keyof SettlementSums> = ['count', 'fees', 'riderPay', 'estimatedCount', 'adjustments', 'riderPayAdjustments'];

@Injectable()
export class SettlementsService {
  constructor(private readonly settlements: SettlementsRepository) {}

  /** What reconciliation changed in the period: each re-priced quote, before and after, and the differences. */
  async adjustments(agencyId: string, query: PeriodQuery): Promise<Report> {
    const rows = await this.settlements.adjustments(agencyId, query.from, query.to);
    const adjustments = rows.map((r) => ({ ...r, pricedAt: r.pricedAt.toISOString(), adjustedAt: r.adjustedAt.toISOString() }));
    const totals = {
      count: rows.length,
      feeDifference: rows.reduce((sum, r) => sum + r.feeDifference, 0),
      riderPayDifference: rows.reduce((sum, r) => sum + r.riderPayDifference, 0),
    };
    const view: AdjustmentsView = { agencyId, from: query.from.toISOString(), to: query.to.toISOString(), adjustments, totals };
    if (query.format === 'json') return { format: 'json', body: view };
    const header = [
      'quoteId', 'deliveryId', 'orderId', 'restaurantId', 'riderId', 'pricedAt', 'adjustedAt',
      'originalProvider', 'originalDistanceMeters', 'originalTotal', 'originalRiderPay',
      'reconciledProvider', 'reconciledDistanceMeters', 'reconciledTotal', 'reconciledRiderPay',
      'feeDifference', 'riderPayDifference',
    ];
    const lines = adjustments.map((a) => [
      a.quoteId, a.deliveryId, a.orderId, a.restaurantId, a.riderId, a.pricedAt, a.adjustedAt,
      a.original.provider, a.original.distanceMeters, a.original.total, a.original.riderPay,
      a.reconciled.provider, a.reconciled.distanceMeters, a.reconciled.total, a.reconciled.riderPay,
      a.feeDifference, a.riderPayDifference,
    ]);
    return { format: 'csv', filename: `adjustments-${view.from}-${view.to}.csv`, body: toCsv(header, lines) };
  }

  /**
   * What each restaurant owes, or each rider is owed, for deliveries delivered in the period: the frozen quotes'
   * fees and rider pay, the agency's commission, and the same after reconciliation's adjustments.
   */
  async settlement(agencyId: string, query: SettlementQuery): Promise<Report> {
    const groups = await this.settlements.settlement(agencyId, query.by, query.from, query.to);
    const keyField = query.by === 'restaurant' ? 'restaurantId' : 'riderId';
    const rows = groups.map(({ key, ...sums }) => ({ [keyField]: key, ...derived(sums) }) as SettlementView['rows'][number]);
    const totals = derived(Object.fromEntries(SUMS.map((name) => [name, groups.reduce((sum, g) => sum + g[name], 0)])) as unknown as SettlementSums);
    const view: SettlementView = { agencyId, from: query.from.toISOString(), to: query.to.toISOString(), by: query.by, rows, totals };
    if (query.format === 'json') return { format: 'json', body: view };
    const columns = ['count', 'fees', 'riderPay', 'commission', 'estimatedCount', 'adjustments', 'riderPayAdjustments', 'feesAfterAdjustments', 'riderPayAfterAdjustments'] as const;
    const lines = rows.map((row, i) => [groups[i].key, ...columns.map((c) => row[c])]);
    return { format: 'csv', filename: `settlement-${query.by}-${view.from}-${view.to}.csv`, body: toCsv([keyField, ...columns], lines) };
  }
}

function derived(sums: SettlementSums): SettlementRow {
  return {
    ...sums,
    commission: sums.fees - sums.riderPay,
    feesAfterAdjustments: sums.fees + sums.adjustments,
    riderPayAfterAdjustments: sums.riderPay + sums.riderPayAdjustments,
  };
}
