import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { keysIn, pipelinedTransaction, queryPrepared, type Statement } from '#database';
import type { OfferExplanation, RiderJob } from '#planner';
import { OfferEntity, type OfferStatus } from './offer.entity.js';

interface OfferRow {
  id: string;
  delivery_id: string;
  rider_id: string;
  status: OfferStatus;
  created_at: Date;
  expires_at: Date;
  responded_at: Date | null;
  seen_at: Date | null;
  broadcast: boolean;
  score: OfferExplanation | null;
}

/** What planning needs of a rider beyond where it is: room, the jobs it carries or was offered, how long it has been idle. */
export interface RiderContext {
  riderId: string;
  capacity: number;
  /** Deliveries assigned to it or picked up, and those it holds an open offer of (not picked up). */
  jobs: RiderJob[];
  /** Since its last assignment or delivery, by the database's clock; null when it never had one. */
  idleSeconds: number | null;
}

function toOffer(row: OfferRow): OfferEntity {
  return Object.assign(new OfferEntity(), {
    id: row.id,
    deliveryId: row.delivery_id,
    riderId: row.rider_id,
    status: row.status,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    respondedAt: row.responded_at,
    seenAt: row.seen_at ?? null,
    broadcast: row.broadcast,
    score: row.score,
  });
}

/** An UPDATE's RETURNING rows: TypeORM answers `[rows, count]` for updates on PostgreSQL. */
function updated(result: unknown): OfferRow[] {
  return (result as [OfferRow[], number])[0];
}

@Injectable()
export class OffersRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The offer as stored now, and whether its time is still running by the database's clock. */
  async current(manager: EntityManager, id: string): Promise<{ offer: OfferEntity; live: boolean } | undefined> {
    const [row]: Array<OfferRow & { live: boolean }> = await manager.query(
      `SELECT *, expires_at > clock_timestamp() AS live FROM dispatch.offers WHERE id = $1`,
      [id],
    );
    return row ? { offer: toOffer(row), live: row.live } : undefined;
  }

  /**
   * Makes offers in one statement, each only if its delivery still waits for a rider (pending, not held, not
   * refused a price by fee) and, for an offer chosen at a price (`quoteId`), is priced at that quote; and its rider,
   * of the delivery's agency, still has room and was never offered that delivery. A rider's room counts what it
   * carries, the offers it holds, and the offers made to it earlier in `offers` (the list's order decides who gets
   * a last place). Send it after `lockRidersStatement` in the same transaction: the counts are read by this
   * statement, after those locks, so two transactions cannot both take a rider's last place. `toOffers` reads
   * the offers made from its rows.
   */
  insertStatement(
    offers: Array<{
      id: string;
      deliveryId: string;
      agencyId: string;
      riderId: string;
      timeoutSeconds: number;
      broadcast: boolean;
      /** Why the planner chose this rider, kept in the offer's `score`. */
      why?: OfferExplanation;
      quoteId?: string | null;
    }>,
  ): Statement {
    const input = offers.map((o, i) => ({
      id: o.id,
      delivery_id: o.deliveryId,
      agency_id: o.agencyId,
      rider_id: o.riderId,
      timeout: o.timeoutSeconds,
      broadcast: o.broadcast,
      score: o.why ?? null,
      quote_id: o.quoteId ?? null,
      ord: i,
    }));
    return {
      text: `INSERT INTO dispatch.offers (id, delivery_id, rider_id, expires_at, broadcast, score)
       SELECT c.id, c.delivery_id, c.rider_id, now() + make_interval(secs => c.timeout), c.broadcast, c.score
         FROM (SELECT c.*, row_number() OVER (PARTITION BY c.rider_id ORDER BY c.ord) AS nth
                 FROM jsonb_to_recordset($1::jsonb)
                   AS c(id uuid, delivery_id uuid, agency_id uuid, rider_id uuid, timeout double precision, broadcast boolean, score jsonb,
                        quote_id text, ord int)
                 JOIN dispatch.deliveries d ON d.id = c.delivery_id AND d.id = ${keysIn('$1', 'delivery_id')} AND d.status = 'pending' AND NOT d.dispatch_hold
                  AND (d.fee IS NOT NULL OR d.pricing_problem IS NULL) AND (c.quote_id IS NULL OR d.fee->>'quoteId' = c.quote_id)) c
         JOIN dispatch.riders r ON r.id = c.rider_id AND r.agency_id = c.agency_id
        WHERE r.capacity >= c.nth + (SELECT count(*) FROM dispatch.deliveries d WHERE d.rider_id = r.id AND d.status IN ('assigned', 'picked_up'))
                                 + (SELECT count(*) FROM dispatch.offers o WHERE o.rider_id = r.id AND o.status = 'pending')
        ORDER BY c.ord
       ON CONFLICT (delivery_id, rider_id) DO NOTHING
       RETURNING *`,
      values: [JSON.stringify(input)],
    };
  }

  /** The offers in rows of `dispatch.offers` (`SELECT *` or `RETURNING *`). */
  toOffers(rows: Array<Record<string, unknown>>): OfferEntity[] {
    return (rows as unknown as OfferRow[]).map(toOffer);
  }

  /**
   * Locks the riders' rows, in id order, for the rest of the transaction: capacity checks on a rider run one at a
   * time. FOR NO KEY UPDATE, as every rider lock of ours: it does not wait for (nor hold up) the key-share locks of
   * rows that merely point at the rider, such as a batch of its positions being written.
   */
  lockRidersStatement(riderIds: string[]): Statement {
    return { text: 'SELECT id FROM dispatch.riders WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE', values: [riderIds] };
  }

  /**
   * Accepts pending offers whose time is still running (each of a different delivery) and closes their
   * deliveries' other pending offers as taken, in one statement; nothing else of a delivery changes unless its
   * offer was open. Returns the offers accepted, and the offers taken (so their riders can be told).
   */
  async acceptMany(
    manager: EntityManager,
    offerIds: string[],
  ): Promise<{ accepted: Set<string>; taken: Array<{ id: string; deliveryId: string; riderId: string }> }> {
    const rows = (await queryPrepared(manager, {
      text: `WITH mine AS (
              UPDATE dispatch.offers SET status = 'accepted', responded_at = now()
               WHERE id = ANY($1::uuid[]) AND status = 'pending' AND expires_at > clock_timestamp() RETURNING id, delivery_id, rider_id),
            others AS (
              UPDATE dispatch.offers SET status = 'taken', responded_at = now()
               WHERE delivery_id IN (SELECT delivery_id FROM mine) AND id <> ALL($1::uuid[]) AND status = 'pending' RETURNING id, delivery_id, rider_id)
       SELECT 'accepted' AS kind, id, delivery_id, rider_id FROM mine UNION ALL SELECT 'taken', id, delivery_id, rider_id FROM others`,
      values: [offerIds],
    })) as Array<{ kind: 'accepted' | 'taken'; id: string; delivery_id: string; rider_id: string }>;
    return {
      accepted: new Set(rows.filter((row) => row.kind === 'accepted').map((row) => row.id)),
      taken: rows.filter((row) => row.kind === 'taken').map((row) => ({ id: row.id, deliveryId: row.delivery_id, riderId: row.rider_id })),
    };
  }

  /** Offers of the delivery still waiting for an answer. */
  async pendingOf(manager: EntityManager, deliveryId: string): Promise<OfferEntity[]> {
    const rows: OfferRow[] = await manager.query(`SELECT * FROM dispatch.offers WHERE delivery_id = $1 AND status = 'pending'`, [deliveryId]);
    return rows.map(toOffer);
  }

  /**
   * What matching needs of each of these riders (capacity, offers held, active jobs, idle time), in one query.
   * The agency is given so a rider is matched only within its own.
   */
  async riderContexts(riderIds: string[]): Promise<Map<string, RiderContext & { agencyId: string }>> {
    if (riderIds.length === 0) return new Map();
    const rows = (await queryPrepared(this.dataSource, {
      text: `SELECT r.id, r.agency_id, r.capacity,
              extract(epoch FROM clock_timestamp() - (SELECT max(greatest(d.assigned_at, d.delivered_at)) FROM dispatch.deliveries d WHERE d.rider_id = r.id))
                AS idle_seconds,
              coalesce((SELECT json_agg(json_build_object('id', d.id, 'pickup_lng', d.pickup_lng, 'pickup_lat', d.pickup_lat,
                                                          'dropoff_lng', d.dropoff_lng, 'dropoff_lat', d.dropoff_lat,
                                                          'status', d.status, 'assigned_at', coalesce(d.assigned_at, clock_timestamp())))
                          FROM (SELECT d.* FROM dispatch.deliveries d WHERE d.rider_id = r.id AND d.status IN ('assigned', 'picked_up')
                                UNION ALL
                                SELECT d.* FROM dispatch.offers o JOIN dispatch.deliveries d ON d.id = o.delivery_id
                                 WHERE o.rider_id = r.id AND o.status = 'pending') d), '[]'::json) AS jobs
         FROM dispatch.riders r
        WHERE r.id = ANY($1::uuid[])`,
      values: [riderIds],
    })) as Array<{
      id: string;
      agency_id: string;
      capacity: number;
      idle_seconds: string | null;
      jobs: Array<{ id: string; pickup_lng: number; pickup_lat: number; dropoff_lng: number; dropoff_lat: number; status: string; assigned_at: string }>;
    }>;
    return new Map(
      rows.map((rider) => [
        rider.id,
        {
          riderId: rider.id,
          agencyId: rider.agency_id,
          capacity: rider.capacity,
          idleSeconds: rider.idle_seconds === null ? null : Number(rider.idle_seconds),
          jobs: rider.jobs.map((job) => ({
            deliveryId: job.id,
            pickup: { lng: Number(job.pickup_lng), lat: Number(job.pickup_lat) },
            dropoff: { lng: Number(job.dropoff_lng), lat: Number(job.dropoff_lat) },
            pickedUp: job.status === 'picked_up',
            assignedAt: new Date(job.assigned_at),
          })),
        },
      ]),
    );
  }

  /** Of these deliveries, each rider ever offered one (a decline or a missed offer is remembered), as `delivery:rider`. */
  async offeredBefore(deliveryIds: string[]): Promise<Set<string>> {
    if (deliveryIds.length === 0) return new Set();
    const rows = (await queryPrepared(this.dataSource, {
      text: 'SELECT delivery_id, rider_id FROM dispatch.offers WHERE delivery_id = ANY($1::uuid[])',
      values: [deliveryIds],
    })) as Array<{ delivery_id: string; rider_id: string }>;
    return new Set(rows.map((row) => `${row.delivery_id}:${row.rider_id}`));
  }

  /**
   * Flags deliveries of these agencies nobody has taken within `afterSeconds` of arriving for the agency to
   * dispatch by hand, in a transaction that starts with the agencies' `fence`; returns how many were flagged now.
   * Automatic offers go on regardless.
   */
  async flagForManualDispatch(afterSeconds: number, agencyIds: string[], fence: Statement): Promise<number> {
    const [, flagged] = await pipelinedTransaction(this.dataSource, [
      fence,
      {
        text: `UPDATE dispatch.deliveries SET manual_dispatch_since = now()
                WHERE status IN ('pending', 'offered') AND manual_dispatch_since IS NULL AND agency_id = ANY($2::uuid[])
                  AND created_at <= now() - make_interval(secs => $1::double precision)
                RETURNING id`,
        values: [afterSeconds, agencyIds],
      },
    ]);
    return flagged!.length;
  }

  /** Answers or closes a pending offer; returns false when it was no longer pending. */
  async close(manager: EntityManager, id: string, status: Exclude<OfferStatus, 'pending'>): Promise<boolean> {
    const result = await manager.query(
      `UPDATE dispatch.offers SET status = $2, responded_at = now() WHERE id = $1 AND status = 'pending' RETURNING *`,
      [id, status],
    );
    return updated(result).length === 1;
  }

  /** Expires a pending offer whose time is up; returns false when it was answered first. */
  async expire(manager: EntityManager, id: string): Promise<boolean> {
    const result = await manager.query(
      `UPDATE dispatch.offers SET status = 'expired', responded_at = now()
        WHERE id = $1 AND status = 'pending' AND expires_at <= clock_timestamp() RETURNING *`,
      [id],
    );
    return updated(result).length === 1;
  }

  /** Pending offers whose time is up, with their deliveries' agencies, leaving out those of `exceptAgencies`. */
  async dueToExpire(limit: number, exceptAgencies: string[] = []): Promise<Array<{ offer: OfferEntity; agencyId: string }>> {
    const rows = (await queryPrepared(this.dataSource, {
      text: `SELECT o.*, d.agency_id FROM dispatch.offers o JOIN dispatch.deliveries d ON d.id = o.delivery_id
              WHERE o.status = 'pending' AND o.expires_at <= clock_timestamp() AND d.agency_id <> ALL($2::uuid[])
              ORDER BY o.expires_at LIMIT $1`,
      values: [limit, exceptAgencies],
    })) as unknown as Array<OfferRow & { agency_id: string }>;
    return rows.map((row) => ({ offer: toOffer(row), agencyId: row.agency_id }));
  }

  async livePendingFor(riderId: string): Promise<OfferEntity[]> {
    const rows: OfferRow[] = await this.dataSource.query(
      `SELECT * FROM dispatch.offers WHERE rider_id = $1 AND status = 'pending' AND expires_at > clock_timestamp() ORDER BY created_at`,
      [riderId],
    );
    return rows.map(toOffer);
  }
}
