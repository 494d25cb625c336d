import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { LngLat } from '#contracts';
import type { PaymentMethod } from '../orders/dto/create-order.request.js';
import type { LocateError, OrderEnteredBy } from '../orders/order.entity.js';
import type { PlacedOrder } from '../orders/order-created.js';
import type { RestaurantEntity } from '../restaurants/restaurant.entity.js';

/** An order due for locating, leased to this locator for a while. */
export interface DueOrder {
  id: string;
  address: string;
  attempts: number;
}

/** A `locating` order, locked, with what its `order.created` needs once placed. */
export interface LocatingOrder {
  order: Omit<PlacedOrder, 'dropoff'> & { dropoff: { address: string; detail?: string } };
  restaurant: Pick<RestaurantEntity, 'id' | 'agencyId' | 'name' | 'address' | 'lng' | 'lat'>;
}

/** The locator's reads and writes of `intake.orders`. */
@Injectable()
export class LocatingRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /**
   * Takes up to `limit` locating orders that are due, skipping rows another locator holds, and pushes their next
   * try `leaseMs` ahead, so no other locator takes them while this one asks fee (without holding a lock and a
   * connection across that call). A locator that dies mid-way leaves them to be taken again once the lease ends.
   */
  async claimDue(limit: number, leaseMs: number): Promise<DueOrder[]> {
    // An UPDATE answers [rows, count] through TypeORM.
    const [rows]: [Array<{ id: string; dropoff_address: string; locate_attempts: number }>, number] = await this.dataSource.query(
      `UPDATE intake.orders o
          SET next_locate_at = now() + make_interval(secs => $2::float8 / 1000)
         FROM (SELECT id FROM intake.orders
                WHERE status = 'locating' AND next_locate_at <= now()
                ORDER BY next_locate_at
                LIMIT $1
                FOR UPDATE SKIP LOCKED) due
        WHERE o.id = due.id
      RETURNING o.id, o.dropoff_address, o.locate_attempts`,
      [limit, leaseMs],
    );
    return rows.map((r) => ({ id: r.id, address: r.dropoff_address, attempts: r.locate_attempts }));
  }

  /** The order if it is still `locating`, locked until the transaction ends; null once another try placed it. */
  async lockLocating(manager: EntityManager, orderId: string): Promise<LocatingOrder | null> {
    const rows: Array<Record<string, unknown>> = await manager.query(
      `SELECT o.id, o.external_order_id, o.dropoff_address, o.dropoff_detail, o.order_amount, o.note, o.ready_at, o.promised_at,
              o.customer_phone, o.payment_method, o.payment_collect_amount, o.entered_by,
              r.id AS restaurant_id, r.agency_id, r.name AS restaurant_name, r.address AS restaurant_address,
              r.lng AS restaurant_lng, r.lat AS restaurant_lat
         FROM intake.orders o JOIN intake.restaurants r ON r.id = o.restaurant_id
        WHERE o.id = $1 AND o.status = 'locating'
          FOR UPDATE OF o`,
      [orderId],
    );
    if (rows.length === 0) return null;
    const [r] = rows;
    return {
      order: {
        id: r.id as string,
        externalOrderId: r.external_order_id as string,
        dropoff: { address: r.dropoff_address as string, ...(r.dropoff_detail === null ? {} : { detail: r.dropoff_detail as string }) },
        orderAmount: r.order_amount as number,
        ...(r.note === null ? {} : { note: r.note as string }),
        readyAt: r.ready_at as Date | null,
        promisedAt: r.promised_at as Date | null,
        customerPhone: r.customer_phone as string | null,
        payment: r.payment_method === null ? null : { method: r.payment_method as PaymentMethod, collectAmount: r.payment_collect_amount as number },
        enteredBy: r.entered_by as OrderEnteredBy,
      },
      restaurant: {
        id: r.restaurant_id as string,
        agencyId: r.agency_id as string,
        name: r.restaurant_name as string,
        address: r.restaurant_address as string,
        lng: r.restaurant_lng as number,
        lat: r.restaurant_lat as number,
      },
    };
  }

  /** Sets the placed dropoff and moves the order on to `received`, recording when. */
  async markLocated(manager: EntityManager, orderId: string, point: LngLat, provider: string): Promise<void> {
    await manager.query(
      `UPDATE intake.orders
          SET dropoff_lng = $2, dropoff_lat = $3, dropoff_geocoded_by = $4, status = 'received',
              next_locate_at = NULL, updated_at = now()
        WHERE id = $1 AND status = 'locating'`,
      [orderId, point.lng, point.lat, provider],
    );
    await manager.query(
      `INSERT INTO intake.order_status_changes (order_id, status, at) VALUES ($1, 'received', now())
       ON CONFLICT ON CONSTRAINT "PK_intake_order_status_changes" DO NOTHING`,
      [orderId],
    );
  }

  /**
   * Records a failed try and schedules the next: `baseMs` doubled for each failure so far, at most `capMs`.
   * Returns the attempts so far and when the next is due; null when the order is no longer locating.
   */
  async recordFailure(orderId: string, error: LocateError, baseMs: number, capMs: number): Promise<{ attempts: number; nextAt: Date } | null> {
    const [rows]: [Array<{ locate_attempts: number; next_locate_at: Date }>, number] = await this.dataSource.query(
      `UPDATE intake.orders
          SET locate_attempts = locate_attempts + 1,
              last_locate_error = $2::jsonb,
              next_locate_at = now() + make_interval(secs => least($4::float8, $3::float8 * power(2, least(locate_attempts, 30))) / 1000),
              updated_at = now()
        WHERE id = $1 AND status = 'locating'
      RETURNING locate_attempts, next_locate_at`,
      [orderId, JSON.stringify(error), baseMs, capMs],
    );
    return rows.length === 0 ? null : { attempts: rows[0].locate_attempts, nextAt: rows[0].next_locate_at };
  }
}
