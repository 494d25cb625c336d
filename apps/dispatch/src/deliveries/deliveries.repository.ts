import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type QueryDeepPartialEntity } from 'typeorm';
import { DeliveryEntity, type PricingProblem } from './delivery.entity.js';
import type { DeliveryStatus } from './delivery-status.js';

export type NewDelivery = Pick<
  DeliveryEntity,
  | 'id'
  | 'orderId'
  | 'agencyId'
  | 'restaurantId'
  | 'restaurantName'
  | 'pickupLng'
  | 'pickupLat'
  | 'pickupAddress'
  | 'dropoffLng'
  | 'dropoffLat'
  | 'dropoffAddress'
  | 'dropoffDetail'
>;

/** The database's clock, so every status time of a delivery (and of its offers) comes from one clock. */
export const NOW = () => 'now()';

@Injectable()
export class DeliveriesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Inserts a delivery for an order; false when the order already has one. */
  async insert(manager: EntityManager, delivery: NewDelivery): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO dispatch.deliveries (id, order_id, agency_id, restaurant_id, restaurant_name,
         pickup_lng, pickup_lat, pickup_address, dropoff_lng, dropoff_lat, dropoff_address, dropoff_detail)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (order_id) DO NOTHING RETURNING id`,
      [
        delivery.id,
        delivery.orderId,
        delivery.agencyId,
        delivery.restaurantId,
        delivery.restaurantName,
        delivery.pickupLng,
        delivery.pickupLat,
        delivery.pickupAddress,
        delivery.dropoffLng,
        delivery.dropoffLat,
        delivery.dropoffAddress,
        delivery.dropoffDetail,
      ],
    );
    return rows.length === 1;
  }

  /**
   * Locks the delivery's row for the rest of the transaction. Every change to a delivery and to its offers
   * happens under this lock, so each sees the one before it.
   */
  lock(manager: EntityManager, id: string): Promise<DeliveryEntity | null> {
    return manager.getRepository(DeliveryEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<DeliveryEntity | null> {
    return manager.getRepository(DeliveryEntity).findOneBy({ id });
  }

  findByIds(ids: string[]): Promise<DeliveryEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.dataSource.getRepository(DeliveryEntity).createQueryBuilder('d').where('d.id IN (:...ids)', { ids }).getMany();
  }

  /** Writes a locked delivery's changed fields and returns it as stored. `NOW` stamps the database's time. */
  async update(manager: EntityManager, delivery: DeliveryEntity, changes: QueryDeepPartialEntity<DeliveryEntity>): Promise<DeliveryEntity> {
    await manager.getRepository(DeliveryEntity).update({ id: delivery.id }, changes);
    return (await this.findById(delivery.id, manager))!;
  }

  /** Riders holding an open offer of the delivery. */
  async pendingOfferRiders(manager: EntityManager, deliveryId: string): Promise<string[]> {
    const rows: Array<{ rider_id: string }> = await manager.query(`SELECT rider_id FROM dispatch.offers WHERE delivery_id = $1 AND status = 'pending'`, [
      deliveryId,
    ]);
    return rows.map((row) => row.rider_id);
  }

  /** Withdraws the delivery's pending offers (it was cancelled); returns who held them. */
  async withdrawPendingOffers(manager: EntityManager, deliveryId: string): Promise<Array<{ offerId: string; riderId: string }>> {
    const [rows] = (await manager.query(
      `UPDATE dispatch.offers SET status = 'withdrawn', responded_at = now()
        WHERE delivery_id = $1 AND status = 'pending' RETURNING id AS "offerId", rider_id AS "riderId"`,
      [deliveryId],
    )) as [Array<{ offerId: string; riderId: string }>, number];
    return rows;
  }

  /**
   * Deliveries without a price whose next attempt at the fee service is due, oldest first: waiting ones, and
   * ones offered or taken while their fee was pending (settling needs their quote), but none called off before
   * a rider took it.
   */
  dueForPricing(limit: number): Promise<DeliveryEntity[]> {
    return this.dataSource
      .getRepository(DeliveryEntity)
      .createQueryBuilder('d')
      .where(`d.fee IS NULL AND d.nextQuoteAt <= now() AND (d.status = 'pending' OR (d.fee_pending_since IS NOT NULL AND (d.status NOT IN ('cancelled', 'failed') OR d.assigned_at IS NOT NULL)))`)
      .orderBy('d.createdAt', 'ASC')
      .limit(limit)
      .getMany();
  }

  /** Counts a failed pricing attempt and sets the next; a `problem` replaces the one shown, none keeps it. */
  async postponePricing(id: string, delayMs: number, problem?: PricingProblem): Promise<void> {
    await this.dataSource.query(
      `UPDATE dispatch.deliveries SET quote_attempts = quote_attempts + 1,
         next_quote_at = now() + make_interval(secs => $2::double precision / 1000),
         pricing_problem = coalesce($3::jsonb, pricing_problem)
       WHERE id = $1 AND fee IS NULL`,
      [id, delayMs, problem ? JSON.stringify(problem) : null],
    );
  }

  /**
   * Deliveries of these agencies waiting for a rider, oldest first: priced ones, and unpriced ones fee has not
   * refused to price that waited `feePendingAfterMs` for a price or whose pricing attempt already failed (they
   * are offered with their fee pending).
   */
  waitingForRider(agencyIds: string[], limit: number, feePendingAfterMs = Infinity): Promise<DeliveryEntity[]> {
    const feePending = Number.isFinite(feePendingAfterMs)
      ? ` OR (d.pricing_problem IS NULL AND (d.quote_attempts > 0 OR d.created_at <= now() - make_interval(secs => CAST(:afterMs AS double precision) / 1000)))`
      : '';
    return this.dataSource
      .getRepository(DeliveryEntity)
      .createQueryBuilder('d')
      // A delivery the agency holds waits for its hand, not the dispatcher's.
      .where(`d.status = 'pending' AND NOT d.dispatch_hold AND (d.fee IS NOT NULL${feePending}) AND d.agencyId IN (:...agencyIds)`, {
        agencyIds,
        afterMs: feePendingAfterMs,
      })
      .orderBy('d.createdAt', 'ASC')
      .limit(limit)
      .getMany();
  }

  listForAgency(agencyId: string, options: { statuses?: readonly DeliveryStatus[]; limit: number }): Promise<DeliveryEntity[]> {
    const query = this.dataSource
      .getRepository(DeliveryEntity)
      .createQueryBuilder('d')
      .where('d.agencyId = :agencyId', { agencyId })
      .orderBy('d.createdAt', 'DESC')
      .addOrderBy('d.id', 'ASC')
      .limit(options.limit);
    if (options.statuses?.length) query.andWhere('d.status IN (:...statuses)', { statuses: options.statuses });
    return query.getMany();
  }
}
