import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';

export interface ClosedOffer {
  offerId: string;
  riderId: string;
  status: 'accepted' | 'taken';
}

/**
 * What the agency's manual dispatch does to a delivery's offers. The offers table is also the dispatcher's
 * memory of who may not be offered a delivery again (any row for the pair), which is how a rider the agency
 * took a delivery from is kept from getting it back automatically.
 */
@Injectable()
export class DeliveryOperationsRepository {
  /**
   * Closes the delivery's open offers for an assignment by hand to `riderId`: that rider's own offer counts as
   * accepted (it has the delivery now), everyone else's as taken.
   */
  async closeOffersFor(manager: EntityManager, deliveryId: string, riderId: string): Promise<ClosedOffer[]> {
    const [rows] = (await manager.query(
      `UPDATE dispatch.offers SET status = CASE WHEN rider_id = $2 THEN 'accepted' ELSE 'taken' END, responded_at = now()
        WHERE delivery_id = $1 AND status = 'pending'
        RETURNING id AS "offerId", rider_id AS "riderId", status`,
      [deliveryId, riderId],
    )) as [ClosedOffer[], number];
    return rows;
  }

  /**
   * The agency took the delivery from `riderId`: its accepted offer, if it had one, is withdrawn (so another may
   * be accepted), and the pair is remembered so the dispatcher never offers the delivery to that rider again.
   */
  async releaseRider(manager: EntityManager, deliveryId: string, riderId: string): Promise<void> {
    await manager.query(
      `UPDATE dispatch.offers SET status = 'withdrawn', responded_at = now() WHERE delivery_id = $1 AND rider_id = $2 AND status = 'accepted'`,
      [deliveryId, riderId],
    );
    // A rider assigned by hand had no offer: a closed one stands for "not this rider".
    await manager.query(
      `INSERT INTO dispatch.offers (id, delivery_id, rider_id, status, created_at, expires_at, responded_at)
       VALUES ($1, $2, $3, 'withdrawn', now(), now() + interval '1 second', now())
       ON CONFLICT ON CONSTRAINT "UQ_dispatch_offers_delivery_rider" DO NOTHING`,
      [randomUUID(), deliveryId, riderId],
    );
  }
}
