import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { SettlementGrouping } from './settlement-query.js';

export interface AdjustmentRow {
  quoteId: string;
  deliveryId: string | null;
  orderId: string | null;
  restaurantId: string | null;
  riderId: string | null;
  pricedAt: Date;
  adjustedAt: Date;
  original: { provider: string; distanceMeters: number; total: number; riderPay: number };
  reconciled: { provider: string; distanceMeters: number; total: number; riderPay: number };
  feeDifference: number;
  riderPayDifference: number;
}

export interface SettlementSums {
  count: number;
  fees: number;
  riderPay: number;
  estimatedCount: number;
  adjustments: number;
  riderPayAdjustments: number;
}

export interface SettlementGroup extends SettlementSums {
  key: string | null;
}

@Injectable()
export class SettlementsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The agency's adjustments made in `[from, to)`, oldest first, with the delivery each quote was charged to. */
  async adjustments(agencyId: string, from: Date, to: Date): Promise<AdjustmentRow[]> {
    const rows: AdjustmentDbRow[] = await this.dataSource.query(
      `SELECT a.quote_id, c.delivery_id, c.order_id, c.restaurant_id, c.rider_id, q.priced_at, a.created_at AS adjusted_at,
              q.provider AS original_provider, q.distance_meters AS original_distance_meters, q.total AS original_total,
              coalesce(q.rider_pay, 0) AS original_rider_pay,
              a.provider, a.distance_meters, a.total, a.rider_pay, a.fee_difference, a.rider_pay_difference
       FROM fee.quote_adjustments a
       JOIN fee.quotes q ON q.id = a.quote_id
       LEFT JOIN LATERAL (
         SELECT delivery_id, order_id, restaurant_id, rider_id FROM fee.charges
         WHERE quote_id = a.quote_id ORDER BY stage = 'cancelled', updated_at DESC LIMIT 1
       ) c ON true
       WHERE a.agency_id = $1 AND a.created_at >= $2 AND a.created_at < $3
       ORDER BY a.created_at, a.quote_id`,
      [agencyId, from, to],
    );
    return rows.map((r) => ({
      quoteId: r.quote_id,
      deliveryId: r.delivery_id,
      orderId: r.order_id,
      restaurantId: r.restaurant_id,
      riderId: r.rider_id,
      pricedAt: r.priced_at,
      adjustedAt: r.adjusted_at,
      original: { provider: r.original_provider, distanceMeters: r.original_distance_meters, total: r.original_total, riderPay: r.original_rider_pay },
      reconciled: { provider: r.provider, distanceMeters: r.distance_meters, total: r.total, riderPay: r.rider_pay },
      feeDifference: r.fee_difference,
      riderPayDifference: r.rider_pay_difference,
    }));
  }

  /**
   * The agency's deliveries delivered in `[from, to)`, by restaurant or by rider: their frozen quotes' fees and
   * rider pay, and the reconciled differences of those quotes.
   */
  async settlement(agencyId: string, by: SettlementGrouping, from: Date, to: Date): Promise<SettlementGroup[]> {
    const key = by === 'restaurant' ? 'c.restaurant_id' : 'c.rider_id';
    const rows: SettlementDbRow[] = await this.dataSource.query(
      `SELECT ${key} AS key, count(*) AS count, sum(q.total) AS fees, sum(coalesce(q.rider_pay, 0)) AS rider_pay,
              count(*) FILTER (WHERE q.estimated) AS estimated_count,
              coalesce(sum(a.fee_difference), 0) AS adjustments, coalesce(sum(a.rider_pay_difference), 0) AS rider_pay_adjustments
       FROM fee.charges c
       JOIN fee.quotes q ON q.id = c.quote_id
       LEFT JOIN fee.quote_adjustments a ON a.quote_id = c.quote_id
       WHERE c.agency_id = $1 AND c.stage = 'delivered' AND c.delivered_at >= $2 AND c.delivered_at < $3
       GROUP BY ${key}
       ORDER BY ${key} NULLS LAST`,
      [agencyId, from, to],
    );
    // Sums are bigint, which pg returns as strings; KRW totals stay far below 2^53.
    return rows.map((r) => ({
      key: r.key,
      count: Number(r.count),
      fees: Number(r.fees),
      riderPay: Number(r.rider_pay),
      estimatedCount: Number(r.estimated_count),
      adjustments: Number(r.adjustments),
      riderPayAdjustments: Number(r.rider_pay_adjustments),
    }));
  }
}

interface AdjustmentDbRow {
  quote_id: string;
  delivery_id: string | null;
  order_id: string | null;
  restaurant_id: string | null;
  rider_id: string | null;
  priced_at: Date;
  adjusted_at: Date;
  original_provider: string;
  original_distance_meters: number;
  original_total: number;
  original_rider_pay: number;
  provider: string;
  distance_meters: number;
  total: number;
  rider_pay: number;
  fee_difference: number;
  rider_pay_difference: number;
}

interface SettlementDbRow {
  key: string | null;
  count: string;
  fees: string;
  rider_pay: string;
  estimated_count: string;
  adjustments: string;
  rider_pay_adjustments: string;
}
