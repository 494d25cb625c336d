import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';

/** An offer waiting for its rider's answer, as the board shows it: whether the rider's app has it on screen. */
export interface OpenOffer {
  offerId: string;
  riderId: string;
  expiresAt: Date;
  /** When the rider's app acknowledged it; null while unseen. */
  seenAt: Date | null;
}

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
  constructor(private readonly dataSource: DataSource) {}

  /** The open offers of these deliveries, by delivery, oldest first. */
  async openOffers(deliveryIds: string[]): Promise<Map<string, OpenOffer[]>> {
    const byDelivery = new Map<string, OpenOffer[]>();
    if (deliveryIds.length === 0) return byDelivery;
    const rows: Array<OpenOffer & { deliveryId: string }> = await this.dataSource.query(
      `SELECT id AS "offerId", delivery_id AS "deliveryId", rider_id AS "riderId", expires_at AS "expiresAt", seen_at AS "seenAt"
         FROM dispatch.offers WHERE delivery_id = ANY($1::uuid[]) AND status = 'pending' ORDER BY created_at`,
      [deliveryIds],
    );
    for (const { deliveryId, ...offer } of rows) byDelivery.set(deliveryId, [...(byDelivery.get(deliveryId) ?? []), offer]);
    return byDelivery;
  }

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
