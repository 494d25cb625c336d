import { Injectable } from '@nestjs/common';
import { DataSource, In, MoreThan, type EntityManager } from 'typeorm';
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

  /** The rider whose token, or whose replaced token within its window, has this hash. */
  findByTokenHash(tokenHash: string): Promise<RiderEntity | null> {
    return this.dataSource.getRepository(RiderEntity).findOne({ where: [{ tokenHash }, { previousTokenHash: tokenHash, previousTokenUntil: MoreThan(new Date()) }] });
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

}
