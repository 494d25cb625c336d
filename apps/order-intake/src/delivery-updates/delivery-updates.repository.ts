import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { claimInboxEvent } from '#database';
import type { OrderStatus } from '../orders/order-status.js';
import type { OrderFee } from '../orders/order.entity.js';

export interface OrderProgress {
  status: OrderStatus;
  hasFee: boolean;
  riderId: string | null;
  /** When the rider was last set or taken off, by the time of the event that did it. */
  riderChangedAt: Date | null;
}

export interface DeliveryDetails {
  fee?: OrderFee;
  rider?: { id: string; name: string };
}

/** Writes that delivery events make to orders, each inside the event's transaction. */
@Injectable()
export class DeliveryUpdatesRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** False when the event was handled before. */
  claim(manager: EntityManager, eventId: string, pattern: string): Promise<boolean> {
    return claimInboxEvent(manager, 'intake', eventId, pattern);
  }

  /** The order's progress, locked until the transaction ends so events for one order apply one at a time. */
  async lockOrder(manager: EntityManager, orderId: string): Promise<OrderProgress | null> {
    const rows: Array<{ status: OrderStatus; has_fee: boolean; rider_id: string | null; rider_changed_at: Date | null }> = await manager.query(
      `SELECT status, fee IS NOT NULL AS has_fee, rider_id, rider_changed_at FROM intake.orders WHERE id = $1 FOR UPDATE`,
      [orderId],
    );
    if (rows.length === 0) return null;
    const [row] = rows;
    return { status: row.status, hasFee: row.has_fee, riderId: row.rider_id, riderChangedAt: row.rider_changed_at };
  }

  /** Moves the order to a status reached at `at`, keeping the fee or rider the event carries. */
  async advance(manager: EntityManager, orderId: string, status: OrderStatus, at: Date, details: DeliveryDetails): Promise<void> {
    await manager.query(
      `UPDATE intake.orders
          SET status = $2,
              fee = coalesce($3::jsonb, fee),
              rider_id = coalesce($4::uuid, rider_id),
              rider_name = coalesce($5, rider_name),
              rider_changed_at = CASE WHEN $4::uuid IS NULL THEN rider_changed_at ELSE $6 END,
              updated_at = now()
        WHERE id = $1`,
      [orderId, status, details.fee ? JSON.stringify(details.fee) : null, details.rider?.id ?? null, details.rider?.name ?? null, at],
    );
    await this.recordStatus(manager, orderId, status, at);
  }

  /**
   * The agency moved the order to another rider (`rider`), or took it back from its rider to wait for another
   * (no rider: back to `status`, normally quoted). `at` is when that happened in dispatch.
   */
  async changeRider(manager: EntityManager, orderId: string, status: OrderStatus, rider: { id: string; name: string } | undefined, at: Date): Promise<void> {
    await manager.query(
      `UPDATE intake.orders SET status = $2, rider_id = $3, rider_name = $4, rider_changed_at = $5, updated_at = now() WHERE id = $1`,
      [orderId, status, rider?.id ?? null, rider?.name ?? null, at],
    );
  }

  /** Adds a status the order went through, at the time it happened, to its history (once). */
  async recordStatus(manager: EntityManager, orderId: string, status: OrderStatus, at: Date): Promise<void> {
    await manager.query(
      `INSERT INTO intake.order_status_changes (order_id, status, at) VALUES ($1, $2, $3)
       ON CONFLICT ON CONSTRAINT "PK_intake_order_status_changes" DO NOTHING`,
      [orderId, status, at],
    );
  }

  /** Records a fee or rider the order lacks, without touching its status; `at` is when the rider was assigned. */
  async fillDetails(manager: EntityManager, orderId: string, details: DeliveryDetails, at: Date): Promise<void> {
    await manager.query(
      `UPDATE intake.orders
          SET fee = coalesce(fee, $2::jsonb),
              rider_id = coalesce(rider_id, $3::uuid),
              rider_name = CASE WHEN rider_id IS NULL THEN $4 ELSE rider_name END,
              rider_changed_at = CASE WHEN rider_id IS NULL AND $3::uuid IS NOT NULL THEN $5 ELSE rider_changed_at END,
              updated_at = now()
        WHERE id = $1`,
      [orderId, details.fee ? JSON.stringify(details.fee) : null, details.rider?.id ?? null, details.rider?.name ?? null, at],
    );
  }
}
