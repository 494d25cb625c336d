import { Injectable } from '@nestjs/common';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { outboxInsertSql, type OutboxMessage } from '#database';
import type { OrderStatus } from './order-status.js';
import { OrderStatusChangeEntity } from './order-status-change.entity.js';
import { OrderEntity, type OrderItem } from './order.entity.js';

/** An HTTP answer as it was given, to give again. */
export interface StoredAnswer {
  status: number;
  body: unknown;
}

export interface AcceptedOrder {
  id: string;
  restaurantId: string;
  externalOrderId: string;
  requestHash: string;
  dropoffAddress: string;
  dropoffLng: number | null;
  dropoffLat: number | null;
  dropoffDetail: string | null;
  customerPhone: string | null;
  items: OrderItem[];
  orderAmount: number;
  note: string | null;
}

export interface OrderWithHistory {
  order: OrderEntity;
  history: Array<{ status: OrderStatus; at: Date }>;
}

@Injectable()
export class OrdersRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The pg pool under TypeORM's data source: same connections, but named (prepared) statements. */
  private pool(): pg.Pool {
    return (this.dataSource.driver as unknown as { master: pg.Pool }).master;
  }

  /**
   * Stores an accepted order, its first status, the answer given to its webhook and its event in ONE
   * statement: atomic like a transaction, in one round trip instead of six, as this is the hot path. The
   * statement is prepared once per connection (a named statement on TypeORM's own pg pool), which spares
   * PostgreSQL parsing and planning four inserts for every order. A webhook-id or externalOrderId seen before
   * fails the whole statement on its unique key. Returns the answer as stored, which the caller should give:
   * jsonb orders keys its own way, and replays must be byte-identical.
   */
  async insertAccepted(order: AcceptedOrder, webhookId: string, answer: StoredAnswer, event: OutboxMessage): Promise<StoredAnswer> {
    const { rows } = await this.pool().query<{ status_code: number; response_body: unknown }>({
      name: 'intake_accept_order',
      text: `WITH receipt AS (
         INSERT INTO intake.webhook_receipts (restaurant_id, webhook_id, status_code, response_body, order_id)
         VALUES ($2, $13, $14, $15, $1)
         RETURNING status_code, response_body
       ), created AS (
         INSERT INTO intake.orders (id, restaurant_id, external_order_id, request_hash, status, dropoff_address,
           dropoff_lng, dropoff_lat, dropoff_detail, customer_phone, items, order_amount, note)
         VALUES ($1, $2, $3, $4, 'received', $5, $6, $7, $8, $9, $10, $11, $12)
         RETURNING id, created_at
       ), first_status AS (
         INSERT INTO intake.order_status_changes (order_id, status, at) SELECT id, 'received', created_at FROM created
       ), event AS (
         ${outboxInsertSql('intake', ['$16', '$17', '$18'])}
       )
       SELECT status_code, response_body FROM receipt`,
      values: [
        order.id,
        order.restaurantId,
        order.externalOrderId,
        order.requestHash,
        order.dropoffAddress,
        order.dropoffLng,
        order.dropoffLat,
        order.dropoffDetail,
        order.customerPhone,
        JSON.stringify(order.items),
        order.orderAmount,
        order.note,
        webhookId,
        answer.status,
        JSON.stringify(answer.body),
        event.eventId,
        event.pattern,
        JSON.stringify(event.payload),
      ],
    });
    return { status: rows[0].status_code, body: rows[0].response_body };
  }

  async findReceipt(restaurantId: string, webhookId: string): Promise<StoredAnswer | null> {
    const rows: Array<{ status_code: number; response_body: unknown }> = await this.dataSource.query(
      'SELECT status_code, response_body FROM intake.webhook_receipts WHERE restaurant_id = $1 AND webhook_id = $2',
      [restaurantId, webhookId],
    );
    return rows.length === 0 ? null : { status: rows[0].status_code, body: rows[0].response_body };
  }

  async findByExternalId(
    restaurantId: string,
    externalOrderId: string,
  ): Promise<{ id: string; status: OrderStatus; requestHash: string } | null> {
    const rows: Array<{ id: string; status: OrderStatus; request_hash: string }> = await this.dataSource.query(
      'SELECT id, status, request_hash FROM intake.orders WHERE restaurant_id = $1 AND external_order_id = $2',
      [restaurantId, externalOrderId],
    );
    return rows.length === 0 ? null : { id: rows[0].id, status: rows[0].status, requestHash: rows[0].request_hash };
  }

  /** A restaurant's order with the time it reached each status; another restaurant's order is not found. */
  async findWithHistory(restaurantId: string, orderId: string): Promise<OrderWithHistory | null> {
    const order = await this.dataSource.getRepository(OrderEntity).findOneBy({ id: orderId, restaurantId });
    if (!order) return null;
    const history = await this.dataSource.getRepository(OrderStatusChangeEntity).find({ where: { orderId } });
    return { order, history: history.map(({ status, at }) => ({ status, at })) };
  }
}
