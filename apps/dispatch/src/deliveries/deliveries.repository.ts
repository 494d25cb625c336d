import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type QueryDeepPartialEntity } from 'typeorm';

type ColumnMetadata = ReturnType<DataSource['getMetadata']>['columns'][number];
import { DeliveryEntity, type DeliveryQuote, type PricingProblem } from './delivery.entity.js';
import type { DeliveryStatus } from './delivery-status.js';

export type DeliveryPatch = QueryDeepPartialEntity<DeliveryEntity>;

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

/**
 * Deliveries are read and written here. The steps every delivery takes (lock, change, read back) are plain SQL
 * mapped through the entity's own column metadata: a delivery's life is a dozen of them, and building each
 * through the query builder cost more than the database's work. Lists and searches use the query builder.
 */
@Injectable()
export class DeliveriesRepository {
  private columnsByProperty?: Map<string, ColumnMetadata>;

  constructor(private readonly dataSource: DataSource) {}

  private get columns(): Map<string, ColumnMetadata> {
    this.columnsByProperty ??= new Map(this.dataSource.getMetadata(DeliveryEntity).columns.map((column) => [column.propertyName, column]));
    return this.columnsByProperty;
  }

  /** The column of an entity property. */
  columnName(property: keyof DeliveryEntity): string {
    const column = this.columns.get(property);
    if (!column) throw new Error(`deliveries have no column for ${property}`);
    return column.databaseName;
  }

  /** A `dispatch.deliveries` row (`SELECT *` or `RETURNING *`) as the entity. */
  toEntity(row: Record<string, unknown>): DeliveryEntity {
    const delivery = new DeliveryEntity() as unknown as Record<string, unknown>;
    for (const [property, column] of this.columns) delivery[property] = row[column.databaseName];
    return delivery as unknown as DeliveryEntity;
  }

  /**
   * The SET list for `changes` (entity properties; `NOW` stamps the database's time), with `updated_at`, its
   * values appended to `params`.
   */
  setList(changes: DeliveryPatch, params: unknown[]): string {
    const assignments = ['updated_at = now()'];
    for (const [property, value] of Object.entries(changes)) {
      const column = this.columns.get(property);
      if (!column) throw new Error(`deliveries have no column for ${property}`);
      if (value === undefined) continue;
      if (typeof value === 'function') {
        assignments.push(`${column.databaseName} = ${(value as () => string)()}`);
        continue;
      }
      const json = column.type === 'jsonb' && value !== null;
      params.push(json ? JSON.stringify(value) : value);
      assignments.push(`${column.databaseName} = $${params.length}${json ? '::jsonb' : ''}`);
    }
    return assignments.join(', ');
  }

  /**
   * Inserts a delivery for an order, with the first step of its log, once per event: `sources` are SQL for the
   * rows it may be created from (a CTE claiming the event in the inbox, say) and their `params`, to which this
   * appends its own. Returns `{ claimed, created }`: whether the event was new, and whether the order got its
   * delivery now (false when it already had one). One statement, so all of it or none.
   */
  async insertFrom(
    manager: EntityManager,
    source: { cte: string; params: unknown[] },
    delivery: NewDelivery,
    logStep: (source: string, params: unknown[]) => string,
  ): Promise<{ claimed: boolean; created: boolean }> {
    const params = [...source.params];
    const at = params.length;
    params.push(
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
    );
    const p = (i: number, type: string) => `$${at + i}::${type}`;
    const [row]: Array<{ claimed: number; created: number }> = await manager.query(
      `WITH source AS (${source.cte}),
            created AS (
              INSERT INTO dispatch.deliveries (id, order_id, agency_id, restaurant_id, restaurant_name,
                pickup_lng, pickup_lat, pickup_address, dropoff_lng, dropoff_lat, dropoff_address, dropoff_detail)
              SELECT ${p(1, 'uuid')}, ${p(2, 'uuid')}, ${p(3, 'uuid')}, ${p(4, 'uuid')}, ${p(5, 'text')}, ${p(6, 'float8')}, ${p(7, 'float8')},
                     ${p(8, 'text')}, ${p(9, 'float8')}, ${p(10, 'float8')}, ${p(11, 'text')}, ${p(12, 'text')} FROM source
              ON CONFLICT (order_id) DO NOTHING RETURNING *),
            logged AS (${logStep('created', params)})
       SELECT (SELECT count(*) FROM source)::int AS claimed, (SELECT count(*) FROM created)::int AS created`,
      params,
    );
    return { claimed: row!.claimed > 0, created: row!.created > 0 };
  }

  /**
   * Locks the delivery's row for the rest of the transaction. Every change to a delivery and to its offers
   * happens under this lock, so each sees the one before it.
   */
  async lock(manager: EntityManager, id: string): Promise<DeliveryEntity | null> {
    const [row]: Array<Record<string, unknown>> = await manager.query('SELECT * FROM dispatch.deliveries WHERE id = $1 FOR UPDATE', [id]);
    return row ? this.toEntity(row) : null;
  }

  /** Locks the rows of these deliveries, in id order, for the rest of the transaction; returns those that exist. */
  async lockMany(manager: EntityManager, ids: string[]): Promise<DeliveryEntity[]> {
    const rows: Array<Record<string, unknown>> = await manager.query('SELECT * FROM dispatch.deliveries WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', [ids]);
    return rows.map((row) => this.toEntity(row));
  }

  /**
   * Locks the deliveries of riders' offers, in delivery id order, and names each offer's rider (for the
   * restaurant's event): by offer id, the offers that exist and are the given rider's.
   */
  async lockByOffers(
    manager: EntityManager,
    offers: Array<{ offerId: string; riderId: string }>,
  ): Promise<Map<string, { delivery: DeliveryEntity; riderId: string; riderName: string }>> {
    const rows: Array<Record<string, unknown> & { offer_id: string; offer_rider_id: string; rider_name: string }> = await manager.query(
      `SELECT d.*, o.id AS offer_id, o.rider_id AS offer_rider_id, r.name AS rider_name
         FROM jsonb_to_recordset($1::jsonb) AS i(offer_id uuid, rider_id uuid)
         JOIN dispatch.offers o ON o.id = i.offer_id AND o.rider_id = i.rider_id
         JOIN dispatch.deliveries d ON d.id = o.delivery_id
         JOIN dispatch.riders r ON r.id = o.rider_id
        ORDER BY d.id
          FOR UPDATE OF d`,
      [JSON.stringify(offers.map((offer) => ({ offer_id: offer.offerId, rider_id: offer.riderId })))],
    );
    return new Map(rows.map((row) => [row.offer_id, { delivery: this.toEntity(row), riderId: row.offer_rider_id, riderName: row.rider_name }]));
  }

  async findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<DeliveryEntity | null> {
    const [row]: Array<Record<string, unknown>> = await manager.query('SELECT * FROM dispatch.deliveries WHERE id = $1', [id]);
    return row ? this.toEntity(row) : null;
  }

  findByIds(ids: string[]): Promise<DeliveryEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.dataSource.getRepository(DeliveryEntity).createQueryBuilder('d').where('d.id IN (:...ids)', { ids }).getMany();
  }

  /** Writes a locked delivery's changed fields and returns it as stored. `NOW` stamps the database's time. */
  async update(manager: EntityManager, delivery: DeliveryEntity, changes: DeliveryPatch): Promise<DeliveryEntity> {
    const params: unknown[] = [delivery.id];
    const [rows] = (await manager.query(`UPDATE dispatch.deliveries SET ${this.setList(changes, params)} WHERE id = $1 RETURNING *`, params)) as [
      Array<Record<string, unknown>>,
      number,
    ];
    return this.toEntity(rows[0]!);
  }

  /**
   * Stores quotes on the deliveries that still wait for their price and a rider (pending, unpriced, never
   * offered with their fee pending), clearing any pricing problem; one statement. Returns those priced.
   */
  async priceWaiting(manager: EntityManager, quotes: Array<{ id: string; fee: DeliveryQuote }>): Promise<DeliveryEntity[]> {
    const [rows] = (await manager.query(
      `UPDATE dispatch.deliveries d SET fee = q.fee, pricing_problem = NULL, quoted_at = now(), updated_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS q(id uuid, fee jsonb)
        WHERE d.id = q.id AND d.fee IS NULL AND d.status = 'pending' AND d.fee_pending_since IS NULL
       RETURNING d.*`,
      [JSON.stringify(quotes)],
    )) as [Array<Record<string, unknown>>, number];
    return rows.map((row) => this.toEntity(row));
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
