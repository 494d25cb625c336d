import { Injectable } from '@nestjs/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import { DeliveryEntity } from '../deliveries/delivery.entity.js';
import { RiderEntity } from './rider.entity.js';

/** What a rider is carrying and has been offered: together they are held against the rider's capacity. */
export interface RiderLoad {
  riderId: string;
  capacity: number;
  /** Deliveries assigned or picked up. */
  active: number;
  /** Offers waiting for the rider's answer. */
  offered: number;
}

const LOAD_SQL = `
  SELECT r.id AS "riderId", r.capacity,
    (SELECT count(*) FROM dispatch.deliveries d WHERE d.rider_id = r.id AND d.status IN ('assigned', 'picked_up'))::int AS active,
    (SELECT count(*) FROM dispatch.offers o WHERE o.rider_id = r.id AND o.status = 'pending')::int AS offered
  FROM dispatch.riders r`;

@Injectable()
export class RidersRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(rider: Omit<RiderEntity, 'createdAt' | 'disabledAt' | 'previousTokenHash' | 'previousTokenUntil'>, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.getRepository(RiderEntity).insert(rider);
  }

  /** The rider whose token, or the token its last rotation replaced (working until `previousTokenUntil`), has this hash. */
  findByTokenHash(tokenHash: string): Promise<RiderEntity | null> {
    return this.dataSource.getRepository(RiderEntity).findOne({ where: [{ tokenHash }, { previousTokenHash: tokenHash }] });
  }

  /**
   * Of these sockets' riders, each with the hash of the token it connected with, those that may no longer be
   * connected: the rider is disabled or gone, or its token was replaced and its window has ended (`replacedUntil`
   * when it was the token the last rotation replaced; null when a later rotation dropped it).
   */
  endedSessions(sessions: Array<{ riderId: string; tokenHash: string }>): Promise<Array<{ riderId: string; tokenHash: string; disabled: boolean; replacedUntil: Date | null }>> {
    return this.dataSource.query(
      `SELECT s.rider_id AS "riderId", s.token_hash AS "tokenHash", r.disabled_at IS NOT NULL AS disabled,
              CASE WHEN r.previous_token_hash = s.token_hash THEN r.previous_token_until END AS "replacedUntil"
         FROM unnest($1::uuid[], $2::text[]) AS s(rider_id, token_hash) LEFT JOIN dispatch.riders r ON r.id = s.rider_id
        WHERE r.id IS NULL OR r.disabled_at IS NOT NULL
           OR (r.token_hash <> s.token_hash AND NOT coalesce(r.previous_token_hash = s.token_hash AND r.previous_token_until > now(), false))`,
      [sessions.map((s) => s.riderId), sessions.map((s) => s.tokenHash)],
    );
  }

  /** Replaces the rider's token hash, keeping the one replaced until `until` (dropping what an earlier rotation kept). */
  async rotateToken(manager: EntityManager, id: string, tokenHash: string, until: Date): Promise<void> {
    await manager.query(`UPDATE dispatch.riders SET previous_token_hash = token_hash, previous_token_until = $3, token_hash = $2 WHERE id = $1`, [id, tokenHash, until]);
  }

  findByAgency(agencyId: string): Promise<RiderEntity[]> {
    return this.dataSource.getRepository(RiderEntity).find({ where: { agencyId }, order: { name: 'ASC', id: 'ASC' } });
  }

  /** Changes what the agency may edit of a rider, and whether it is disabled. */
  async update(manager: EntityManager, id: string, changes: Partial<Pick<RiderEntity, 'name' | 'capacity' | 'disabledAt'>>): Promise<void> {
    await manager.getRepository(RiderEntity).update({ id }, changes);
  }

  /** Locks the rider's row for the rest of the transaction: capacity checks on one rider run one at a time. */
  lock(manager: EntityManager, id: string): Promise<RiderEntity | null> {
    return manager.getRepository(RiderEntity).findOne({ where: { id }, lock: { mode: 'for_no_key_update' } });
  }

  async loads(riderIds: string[], manager: EntityManager = this.dataSource.manager): Promise<Map<string, RiderLoad>> {
    if (riderIds.length === 0) return new Map();
    const rows: RiderLoad[] = await manager.query(`${LOAD_SQL} WHERE r.id = ANY($1::uuid[])`, [riderIds]);
    return new Map(rows.map((row) => [row.riderId, row]));
  }

  /** The deliveries the rider carries now (assigned or picked up), in the order it got them. */
  activeDeliveries(riderId: string): Promise<DeliveryEntity[]> {
    return this.dataSource
      .getRepository(DeliveryEntity)
      .find({ where: { riderId, status: In(['assigned', 'picked_up']) }, order: { assignedAt: 'ASC', id: 'ASC' } });
  }

  /**
   * Of `deliveryIds`, those the rider once carried and carries no more, each with the step of the delivery's log
   * that ended it for the rider: the first step after the rider's last (cancelled, taken back, moved to another
   * rider), or the rider's last step itself when the delivery ended with the rider (delivered, failed). Deliveries
   * the rider never carried are left out: they are none of its business.
   */
  async departures(riderId: string, deliveryIds: string[]): Promise<DepartureRow[]> {
    if (deliveryIds.length === 0) return [];
    return this.dataSource.query(
      `WITH mine AS (
         SELECT t.delivery_id, max(t.seq) AS last_seq FROM dispatch.delivery_transitions t
          WHERE t.delivery_id = ANY($2::uuid[]) AND t.rider_id = $1 GROUP BY t.delivery_id)
       SELECT d.id AS "deliveryId", d.restaurant_name AS "restaurantName",
              coalesce(gone.to_status, last.to_status) AS step, coalesce(gone.actor_type, last.actor_type) AS "actorType",
              coalesce(gone.reason, last.reason) AS reason, coalesce(gone.at, last.at) AS at,
              gone.id IS NOT NULL AS "afterRider", gone.rider_id IS NOT NULL AS "toAnotherRider"
         FROM mine m
         JOIN dispatch.deliveries d ON d.id = m.delivery_id
         JOIN dispatch.delivery_transitions last ON last.delivery_id = m.delivery_id AND last.seq = m.last_seq
         LEFT JOIN LATERAL (
           SELECT t.id, t.to_status, t.actor_type, t.reason, t.at, t.rider_id FROM dispatch.delivery_transitions t
            WHERE t.delivery_id = m.delivery_id AND t.seq > m.last_seq ORDER BY t.seq LIMIT 1) gone ON true
        WHERE NOT (d.rider_id IS NOT DISTINCT FROM $1::uuid AND d.status IN ('assigned', 'picked_up'))
        ORDER BY d.id`,
      [riderId, deliveryIds],
    );
  }
}

/** A delivery no longer the rider's, and the step of its log that made it so (see `departures`). */
export interface DepartureRow {
  deliveryId: string;
  restaurantName: string;
  step: string;
  actorType: 'system' | 'rider' | 'agency' | 'restaurant';
  reason: string | null;
  at: Date;
  /** The step came after the rider's last (the delivery was taken from the rider), not the rider's own last. */
  afterRider: boolean;
  toAnotherRider: boolean;
}
