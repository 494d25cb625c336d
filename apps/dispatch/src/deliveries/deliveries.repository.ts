import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type QueryDeepPartialEntity } from 'typeorm';
import { keysIn, pipelinedTransaction, queryPrepared, type OutboxMessage, type Statement } from '#database';

type ColumnMetadata = ReturnType<DataSource['getMetadata']>['columns'][number];
type DeliveryQuery = ReturnType<ReturnType<DataSource['getRepository']>['createQueryBuilder']>;
import { DeliveryEntity, type DeliveryQuote, type PricingProblem } from './delivery.entity.js';
import type { BoardFilter } from './dto/list-deliveries.query.js';
import type { DeliveryStatus } from './delivery-status.js';
import type { DispatchDecision } from './dispatch-decision.js';

export type DeliveryPatch = QueryDeepPartialEntity<DeliveryEntity>;

export type NewDelivery = Pick<
  DeliveryEntity,
  | 'id'
  | 'orderId'
  | 'agencyId'
  | 'restaurantId'
  | 'restaurantName'
  | 'externalOrderId'
  | 'pickupLng'
  | 'pickupLat'
  | 'pickupAddress'
  | 'dropoffLng'
  | 'dropoffLat'
  | 'dropoffAddress'
  | 'dropoffDetail'
  | 'readyAt'
  | 'promisedAt'
  | 'customerPhone'
  | 'paymentMethod'
  | 'paymentCollectAmount'
  | 'enteredBy'
>;

/** The last 4 digits of a delivery's customer phone, as IDX_dispatch_deliveries_agency_phone indexes them. */
const PHONE_LAST4_SQL = `right(regexp_replace(d.customer_phone, '[^0-9]', '', 'g'), 4)`;

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
   * Inserts a delivery for each order event with the first step of its log, once per event: `claimSql` claims
   * the events in the inbox (it is given the SELECT of their event_id and pattern) and only events claimed now
   * create anything. `logStep` is SQL logging the step for the rows just inserted (a CTE name and the params to
   * append to). Returns, per item, whether its event was new and the delivery its order got now (null when the
   * order already had one). One statement for them all, so all of it or none.
   */
  async insertForEvents(
    manager: EntityManager,
    items: Array<{ eventId: string; pattern: string; delivery: NewDelivery }>,
    claimSql: (rows: string) => string,
    logStep: (source: string, params: unknown[]) => string,
  ): Promise<Array<{ claimed: boolean; created: DeliveryEntity | null }>> {
    const params: unknown[] = [
      JSON.stringify(
        items.map(({ eventId, pattern, delivery: d }) => ({
          event_id: eventId,
          pattern,
          id: d.id,
          order_id: d.orderId,
          agency_id: d.agencyId,
          restaurant_id: d.restaurantId,
          restaurant_name: d.restaurantName,
          external_order_id: d.externalOrderId,
          pickup_lng: d.pickupLng,
          pickup_lat: d.pickupLat,
          pickup_address: d.pickupAddress,
          dropoff_lng: d.dropoffLng,
          dropoff_lat: d.dropoffLat,
          dropoff_address: d.dropoffAddress,
          dropoff_detail: d.dropoffDetail,
          ready_at: d.readyAt,
          promised_at: d.promisedAt,
          customer_phone: d.customerPhone,
          payment_method: d.paymentMethod,
          payment_collect_amount: d.paymentCollectAmount,
          entered_by: d.enteredBy,
        })),
      ),
    ];
    const rows = (await queryPrepared(manager, {
      text: `WITH input AS (
              SELECT *, row_number() OVER () AS ord FROM jsonb_to_recordset($1::jsonb) AS i(event_id uuid, pattern text, id uuid, order_id uuid,
                agency_id uuid, restaurant_id uuid, restaurant_name text, pickup_lng float8, pickup_lat float8, pickup_address text,
                dropoff_lng float8, dropoff_lat float8, dropoff_address text, dropoff_detail text, ready_at timestamptz, promised_at timestamptz,
                customer_phone text, payment_method text, payment_collect_amount int, entered_by text, external_order_id text)),
            claimed AS (${claimSql('SELECT event_id, pattern FROM input')}),
            created AS (
              INSERT INTO dispatch.deliveries (id, order_id, agency_id, restaurant_id, restaurant_name,
                pickup_lng, pickup_lat, pickup_address, dropoff_lng, dropoff_lat, dropoff_address, dropoff_detail, ready_at, promised_at,
                customer_phone, payment_method, payment_collect_amount, entered_by, external_order_id)
              SELECT i.id, i.order_id, i.agency_id, i.restaurant_id, i.restaurant_name, i.pickup_lng, i.pickup_lat, i.pickup_address,
                     i.dropoff_lng, i.dropoff_lat, i.dropoff_address, i.dropoff_detail, i.ready_at, i.promised_at,
                     i.customer_phone, i.payment_method, i.payment_collect_amount, i.entered_by, i.external_order_id
                FROM input i JOIN claimed c ON c.event_id = i.event_id ORDER BY i.ord
              ON CONFLICT (order_id) DO NOTHING RETURNING *),
            searchable AS (
              INSERT INTO dispatch.delivery_search (delivery_id, agency_id, haystack)
              SELECT id, agency_id, concat_ws(chr(31), order_id::text, external_order_id, pickup_address, dropoff_address) FROM created),
            logged AS (${logStep('created', params)})
       SELECT created.*, i.event_id AS input_event_id, c.event_id IS NOT NULL AS claimed
         FROM input i LEFT JOIN claimed c ON c.event_id = i.event_id LEFT JOIN created ON created.id = i.id
        ORDER BY i.ord`,
      values: params,
    })) as Array<Record<string, unknown> & { input_event_id: string; claimed: boolean }>;
    return rows.map((row) => ({ claimed: row.claimed, created: row.id ? this.toEntity(row) : null }));
  }

  /**
   * Locks the delivery's row for the rest of the transaction. Every change to a delivery and to its offers
   * happens under this lock, so each sees the one before it.
   */
  async lock(manager: EntityManager, id: string): Promise<DeliveryEntity | null> {
    const [row]: Array<Record<string, unknown>> = await manager.query('SELECT * FROM dispatch.deliveries WHERE id = $1 FOR UPDATE', [id]);
    return row ? this.toEntity(row) : null;
  }

  /** The delivery of an order, locked until the transaction ends. */
  async lockByOrder(manager: EntityManager, orderId: string): Promise<DeliveryEntity | null> {
    const [row]: Array<Record<string, unknown>> = await manager.query('SELECT * FROM dispatch.deliveries WHERE order_id = $1 FOR UPDATE', [orderId]);
    return row ? this.toEntity(row) : null;
  }

  /**
   * Locks the deliveries of riders' offers, in delivery id order, and names each offer's rider (for the
   * restaurant's event): by offer id, the offers that exist and are the given rider's, while it is not disabled
   * (its socket may still be open for a moment after the admin CLI disabled it: what it held can no longer be taken).
   */
  async lockByOffers(
    manager: EntityManager,
    offers: Array<{ offerId: string; riderId: string }>,
  ): Promise<Map<string, { delivery: DeliveryEntity; riderId: string; riderName: string }>> {
    const rows = (await queryPrepared(manager, {
      text: `SELECT d.*, o.id AS offer_id, o.rider_id AS offer_rider_id, r.name AS rider_name
         FROM jsonb_to_recordset($1::jsonb) AS i(offer_id uuid, rider_id uuid)
         JOIN dispatch.offers o ON o.id = i.offer_id AND o.rider_id = i.rider_id AND o.id = ${keysIn('$1', 'offer_id')}
         JOIN dispatch.deliveries d ON d.id = o.delivery_id
         JOIN dispatch.riders r ON r.id = o.rider_id AND r.disabled_at IS NULL
        ORDER BY d.id
          FOR UPDATE OF d`,
      values: [JSON.stringify(offers.map((offer) => ({ offer_id: offer.offerId, rider_id: offer.riderId })))],
    })) as Array<Record<string, unknown> & { offer_id: string; offer_rider_id: string; rider_name: string }>;
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

  /** Locks the rows of these deliveries, in id order, for the rest of its transaction, as a statement to send with others. */
  lockManyStatement(ids: string[]): Statement {
    return { text: 'SELECT id FROM dispatch.deliveries WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', values: [ids] };
  }

  /**
   * Stores quotes on the deliveries that still wait for their price and a rider (pending, unpriced, never offered
   * with their fee pending), clearing any pricing problem, and writes `events` (with `outboxSql`, given the SELECT
   * of their columns) of those deliveries only, so the events of a delivery left as it was are not written. One
   * statement, returning the deliveries priced.
   */
  priceWaitingStatement(
    quotes: Array<{ id: string; fee: DeliveryQuote }>,
    events: Array<{ deliveryId: string; message: OutboxMessage }>,
    outboxSql: (select: string) => string,
  ): Statement {
    return {
      text: `WITH q AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS q(id uuid, fee jsonb)),
            priced AS (
              UPDATE dispatch.deliveries d SET fee = q.fee, pricing_problem = NULL, quoted_at = now(), updated_at = now() FROM q
               WHERE d.id = q.id AND d.id = ${keysIn('$1', 'id')} AND d.fee IS NULL AND d.status = 'pending' AND d.fee_pending_since IS NULL
              RETURNING d.*),
            e AS (SELECT e.* FROM jsonb_to_recordset($2::jsonb) AS e(delivery_id uuid, event_id uuid, pattern text, payload jsonb, ord int)
                    JOIN priced ON priced.id = e.delivery_id),
            events AS (${outboxSql('SELECT event_id, pattern, payload FROM e ORDER BY ord')})
       SELECT * FROM priced`,
      values: [
        JSON.stringify(quotes),
        JSON.stringify(events.map(({ deliveryId, message }, ord) => ({ delivery_id: deliveryId, event_id: message.eventId, pattern: message.pattern, payload: message.payload, ord }))),
      ],
    };
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
   * a rider took it. A new delivery's first attempt belongs to whoever created it for `firstAttemptMs`: only
   * if that attempt leaves no trace by then (a crash) is it due here.
   */
  dueForPricing(limit: number, firstAttemptMs: number, exceptAgencies: string[] = []): Promise<DeliveryEntity[]> {
    const query = this.dataSource
      .getRepository(DeliveryEntity)
      .createQueryBuilder('d')
      .where(`d.fee IS NULL AND d.nextQuoteAt <= now() AND (d.status = 'pending' OR (d.fee_pending_since IS NOT NULL AND (d.status NOT IN ('cancelled', 'failed') OR d.assigned_at IS NOT NULL)))`)
      .andWhere(`(d.quote_attempts > 0 OR d.created_at <= now() - make_interval(secs => CAST(:firstAttemptMs AS double precision) / 1000))`, { firstAttemptMs });
    return withoutAgencies(query, exceptAgencies).orderBy('d.createdAt', 'ASC').limit(limit).getMany();
  }

  /** Counts a failed pricing attempt and sets the next; a `problem` replaces the one shown, none keeps it. */
  async postponePricing(id: string, delayMs: number, problem?: PricingProblem, fence?: Statement): Promise<void> {
    const postpone: Statement = {
      text: `UPDATE dispatch.deliveries SET quote_attempts = quote_attempts + 1,
         next_quote_at = now() + make_interval(secs => $2::double precision / 1000),
         pricing_problem = coalesce($3::jsonb, pricing_problem)
       WHERE id = $1 AND fee IS NULL`,
      values: [id, delayMs, problem ? JSON.stringify(problem) : null],
    };
    if (fence) await pipelinedTransaction(this.dataSource, [fence, postpone]);
    else await queryPrepared(this.dataSource, postpone);
  }

  /**
   * Deliveries waiting for a rider (pending, not held by the agency, priced, or unpriced ones fee has not refused to
   * price that waited `feePendingAfterMs` for a price or whose pricing attempt already failed: they are offered
   * with their fee pending), those whose food is ready first (no ready time: ready when it arrived), at most
   * `limit`, leaving out those of `exceptAgencies` (planned by another dispatch instance).
   */
  waitingForRider(limit: number, feePendingAfterMs = Infinity, exceptAgencies: string[] = []): Promise<DeliveryEntity[]> {
    const feePending = Number.isFinite(feePendingAfterMs)
      ? ` OR (d.pricing_problem IS NULL AND (d.quote_attempts > 0 OR d.created_at <= now() - make_interval(secs => CAST(:afterMs AS double precision) / 1000)))`
      : '';
    const query = this.dataSource
      .getRepository(DeliveryEntity)
      .createQueryBuilder('d')
      // A delivery the agency holds waits for its hand, not the dispatcher's.
      .where(`d.status = 'pending' AND NOT d.dispatch_hold AND (d.fee IS NOT NULL${feePending})`, { afterMs: feePendingAfterMs });
    return withoutAgencies(query, exceptAgencies)
      .orderBy('coalesce(d.ready_at, d.created_at)', 'ASC')
      .addOrderBy('d.createdAt', 'ASC')
      .limit(limit)
      .getMany();
  }

  /**
   * Stores the planner's latest decision on deliveries: an offer's on a delivery now offered, a hold's on one still
   * waiting (one that changed meanwhile keeps what it had).
   */
  decisionsStatement(decisions: Array<{ id: string; decision: DispatchDecision }>): Statement {
    return {
      text: `UPDATE dispatch.deliveries d SET dispatch_decision = c.decision
               FROM jsonb_to_recordset($1::jsonb) AS c(id uuid, decision jsonb)
              WHERE d.id = c.id AND d.id = ${keysIn('$1', 'id')} AND d.status = CASE WHEN c.decision->>'outcome' = 'offered' THEN 'offered' ELSE 'pending' END`,
      values: [JSON.stringify(decisions)],
    };
  }

  /**
   * A page of the agency's board, newest first (ties by id), filtered. Paging is by keyset (the last row of the
   * page before), so a page deep in a day costs what the first does, on IDX_dispatch_deliveries_agency_created.
   */
  listForAgency(agencyId: string, options: BoardFilter): Promise<DeliveryEntity[]> {
    const query = this.dataSource
      .getRepository(DeliveryEntity)
      .createQueryBuilder('d')
      .where('d.agencyId = :agencyId', { agencyId })
      .orderBy('d.createdAt', 'DESC')
      .addOrderBy('d.id', 'DESC')
      .limit(options.limit);
    if (options.statuses?.length) query.andWhere('d.status IN (:...statuses)', { statuses: options.statuses });
    if (options.restaurantId) query.andWhere('d.restaurantId = :restaurantId', { restaurantId: options.restaurantId });
    if (options.riderId) query.andWhere('d.riderId = :riderId', { riderId: options.riderId });
    if (options.from) query.andWhere('d.createdAt >= :from', { from: options.from });
    if (options.to) query.andWhere('d.createdAt < :to', { to: options.to });
    if (options.phoneLast4) query.andWhere(`${PHONE_LAST4_SQL} = :phone`, { phone: options.phoneLast4 });
    if (options.search) {
      // The ids and addresses from delivery_search's trigram index (written once with the delivery, so the hot
      // deliveries table carries no such index); riders by name within the agency.
      query.andWhere(
        `(d.id IN (SELECT s.delivery_id FROM dispatch.delivery_search s WHERE s.agency_id = :agencyId AND s.haystack ILIKE :search)
          OR d.rider_id IN (SELECT r.id FROM dispatch.riders r WHERE r.agency_id = :agencyId AND r.name ILIKE :search))`,
        { search: `%${options.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` },
      );
    }
    if (options.after) query.andWhere('(d.createdAt, d.id) < (:afterAt, :afterId)', { afterAt: options.after.createdAt, afterId: options.after.id });
    return query.getMany();
  }
}

/** The query without the deliveries of these agencies (none left out when the list is empty, as for a lone instance). */
function withoutAgencies<Q extends DeliveryQuery>(query: Q, agencyIds: string[]): Q {
  return agencyIds.length === 0 ? query : (query.andWhere('d.agency_id <> ALL(CAST(:exceptAgencies AS uuid[]))', { exceptAgencies: agencyIds }) as Q);
}
