import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import type { TimingChange } from '#contracts';
import type { OrderStatus } from '../orders/order-status.js';

/** What a timing change needs of its order. */
export interface TimedOrder {
  id: string;
  status: OrderStatus;
  readyAt: Date | null;
  promisedAt: Date | null;
  createdAt: Date;
}

/** Ready times of orders and the history of their changes (`intake.order_timing_changes`). */
@Injectable()
export class TimingRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** A restaurant's order, locked until the transaction ends; another restaurant's is not found. */
  async lockOrder(manager: EntityManager, restaurantId: string, orderId: string): Promise<TimedOrder | null> {
    const rows: Array<{ id: string; status: OrderStatus; ready_at: Date | null; promised_at: Date | null; created_at: Date }> = await manager.query(
      'SELECT id, status, ready_at, promised_at, created_at FROM intake.orders WHERE id = $1 AND restaurant_id = $2 FOR UPDATE',
      [orderId, restaurantId],
    );
    if (rows.length === 0) return null;
    const [r] = rows;
    return { id: r.id, status: r.status, readyAt: r.ready_at, promisedAt: r.promised_at, createdAt: r.created_at };
  }

  /** Moves the order's ready time and records what the restaurant said, with the webhook that said it. */
  async change(manager: EntityManager, change: { orderId: string; change: TimingChange; delayMinutes: number | null; readyAt: Date; webhookId: string }): Promise<void> {
    await manager.query('UPDATE intake.orders SET ready_at = $2, updated_at = now() WHERE id = $1', [change.orderId, change.readyAt]);
    await manager.query(
      `INSERT INTO intake.order_timing_changes (id, order_id, change, delay_minutes, ready_at, webhook_id) VALUES ($1, $2, $3, $4, $5, $6)`,
      [randomUUID(), change.orderId, change.change, change.delayMinutes, change.readyAt, change.webhookId],
    );
  }
}
