import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { TimingChange } from '#contracts';
import { GroupCommit, poolOf, type OutboxMessage } from '#database';
import type { OrderStatus } from './order-status.js';
import { OrderStatusChangeEntity } from './order-status-change.entity.js';
import type { PaymentMethod } from './dto/create-order.request.js';
import { OrderEntity, type OrderEnteredBy, type OrderItem } from './order.entity.js';

import type { StoredAnswer } from '../webhooks/webhook-receipts.repository.js';

export interface AcceptedOrder {
  id: string;
  /** `locating` for an order that came with an address alone: it waits for the locator and has no event yet. */
  status: Extract<OrderStatus, 'received' | 'locating'>;
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
  readyAt: Date;
  promisedAt: Date | null;
  enteredBy: OrderEnteredBy;
  enteredByOperatorId: string | null;
  paymentMethod: PaymentMethod | null;
  paymentCollectAmount: number | null;
}

interface Acceptance {
  order: AcceptedOrder;
  webhookId: string;
  answer: StoredAnswer;
  event: OutboxMessage | null;
}

export interface OrderWithHistory {
  order: OrderEntity;
  history: Array<{ status: OrderStatus; at: Date }>;
  timing: Array<{ change: TimingChange; delayMinutes: number | null; readyAt: Date; at: Date }>;
}

@Injectable()
export class OrdersRepository {
  constructor(private readonly dataSource: DataSource) {}


  /**
   * Stores an accepted order, its first status, the answer given to its webhook and its event atomically (a
   * `locating` order has no event yet: the locator writes it once the address is placed).
   * This is the hot path, so orders arriving together are group-committed: one statement and one commit for
   * the batch (see GroupCommit). A webhook-id or externalOrderId seen before fails the statement on its unique
   * key; the batch is then written again order by order, so only the repeat gets the error. Returns the answer
   * as stored, which the caller should give: jsonb orders keys its own way, and replays must be byte-identical.
   */
  insertAccepted(order: AcceptedOrder, webhookId: string, answer: StoredAnswer, event: OutboxMessage | null): Promise<StoredAnswer> {
    return this.acceptances.submit({ order, webhookId, answer, event });
  }

  private readonly acceptances = new GroupCommit<Acceptance, StoredAnswer>(
    (batch) => this.insertAcceptances(batch),
    (one) => this.insertAcceptances([one]).then(([answer]) => answer),
    { maxBatch: 64, maxInFlight: 4 },
  );

  /**
   * One statement for any number of orders: the columns arrive as arrays and are unnested, so the statement
   * is prepared once per connection (a named statement on TypeORM's own pg pool) whatever the batch size.
   */
  private async insertAcceptances(batch: Acceptance[]): Promise<StoredAnswer[]> {
    const column = <V>(pick: (a: Acceptance) => V) => batch.map(pick);
    const { rows } = await poolOf(this.dataSource).query<{ order_id: string; status_code: number; response_body: unknown }>({
      name: 'intake_accept_orders',
      text: `WITH input AS (
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[],
                              $8::text[], $9::text[], $10::jsonb[], $11::int[], $12::text[], $13::text[], $14::int[],
                              $15::jsonb[], $16::uuid[], $17::text[], $18::jsonb[], $19::text[], $20::timestamptz[],
                              $21::timestamptz[], $22::text[], $23::uuid[], $24::text[], $25::int[])
           WITH ORDINALITY AS t(id, restaurant_id, external_order_id, request_hash, dropoff_address, dropoff_lng,
             dropoff_lat, dropoff_detail, customer_phone, items, order_amount, note, webhook_id, status_code,
             response_body, event_id, pattern, payload, status, ready_at, promised_at, entered_by,
             entered_by_operator_id, payment_method, payment_collect_amount, position)
       ), receipt AS (
         INSERT INTO intake.webhook_receipts (restaurant_id, webhook_id, status_code, response_body, order_id)
         SELECT restaurant_id, webhook_id, status_code, response_body, id FROM input
         RETURNING order_id, status_code, response_body
       ), created AS (
         INSERT INTO intake.orders (id, restaurant_id, external_order_id, request_hash, status, dropoff_address,
           dropoff_lng, dropoff_lat, dropoff_detail, customer_phone, items, order_amount, note, ready_at, promised_at,
           entered_by, entered_by_operator_id, payment_method, payment_collect_amount, next_locate_at)
         SELECT id, restaurant_id, external_order_id, request_hash, status, dropoff_address, dropoff_lng,
           dropoff_lat, dropoff_detail, customer_phone, items, order_amount, note, ready_at, promised_at,
           entered_by, entered_by_operator_id, payment_method, payment_collect_amount,
           CASE WHEN status = 'locating' THEN now() END FROM input
         RETURNING id, status, created_at
       ), first_status AS (
         INSERT INTO intake.order_status_changes (order_id, status, at) SELECT id, status, created_at FROM created
       ), event AS (
         INSERT INTO intake.outbox (event_id, pattern, payload)
         SELECT event_id, pattern, payload FROM input WHERE event_id IS NOT NULL ORDER BY position
       )
       SELECT order_id, status_code, response_body FROM receipt`,
      values: [
        column((a) => a.order.id),
        column((a) => a.order.restaurantId),
        column((a) => a.order.externalOrderId),
        column((a) => a.order.requestHash),
        column((a) => a.order.dropoffAddress),
        column((a) => a.order.dropoffLng),
        column((a) => a.order.dropoffLat),
        column((a) => a.order.dropoffDetail),
        column((a) => a.order.customerPhone),
        column((a) => JSON.stringify(a.order.items)),
        column((a) => a.order.orderAmount),
        column((a) => a.order.note),
        column((a) => a.webhookId),
        column((a) => a.answer.status),
        column((a) => JSON.stringify(a.answer.body)),
        column((a) => a.event?.eventId ?? null),
        column((a) => a.event?.pattern ?? null),
        column((a) => (a.event ? JSON.stringify(a.event.payload) : null)),
        column((a) => a.order.status),
        column((a) => a.order.readyAt),
        column((a) => a.order.promisedAt),
        column((a) => a.order.enteredBy),
        column((a) => a.order.enteredByOperatorId),
        column((a) => a.order.paymentMethod),
        column((a) => a.order.paymentCollectAmount),
      ],
    });
    const byOrder = new Map(rows.map((row) => [row.order_id, { status: row.status_code, body: row.response_body }]));
    return batch.map((a) => byOrder.get(a.order.id)!);
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
    const timing: Array<{ change: TimingChange; delay_minutes: number | null; ready_at: Date; at: Date }> = await this.dataSource.query(
      'SELECT change, delay_minutes, ready_at, at FROM intake.order_timing_changes WHERE order_id = $1 ORDER BY at, id',
      [orderId],
    );
    return {
      order,
      history: history.map(({ status, at }) => ({ status, at })),
      timing: timing.map((t) => ({ change: t.change, delayMinutes: t.delay_minutes, readyAt: t.ready_at, at: t.at })),
    };
  }
}
