import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Offers' receipts: when each reached its rider's app, and shortening the time of those that never did. */
@Injectable()
export class OfferReceiptsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Marks the rider's offer seen, once (a second receipt keeps the first time), while it is open: one that closed
   * before it was seen (an app told of it only by a replay) stays unseen, `seenAt` null. Undefined when the rider
   * has no such offer; `first` when this receipt is the one that marked it.
   */
  async markSeen(riderId: string, offerId: string): Promise<{ seenAt: Date | null; createdAt: Date; first: boolean } | undefined> {
    const [rows] = (await this.dataSource.query(
      `UPDATE dispatch.offers o SET seen_at = CASE WHEN o.status = 'pending' THEN coalesce(o.seen_at, clock_timestamp()) ELSE o.seen_at END
         FROM (SELECT id, seen_at IS NULL AND status = 'pending' AS first FROM dispatch.offers WHERE id = $1 AND rider_id = $2 FOR UPDATE) before
        WHERE o.id = before.id
        RETURNING o.seen_at AS "seenAt", o.created_at AS "createdAt", before.first`,
      [offerId, riderId],
    )) as [Array<{ seenAt: Date | null; createdAt: Date; first: boolean }>, number];
    return rows[0];
  }

  /**
   * Ends now the time of `riders`' pending offers nobody acknowledged within `afterSeconds` of being made, so the
   * dispatcher's expiry closes them and passes their deliveries on. Returns them.
   */
  async shortenUnseen(afterSeconds: number, riders: string[]): Promise<Array<{ id: string; riderId: string; deliveryId: string }>> {
    const [rows] = (await this.dataSource.query(
      `UPDATE dispatch.offers SET expires_at = clock_timestamp()
        WHERE status = 'pending' AND seen_at IS NULL AND created_at <= clock_timestamp() - make_interval(secs => $1::double precision)
          AND expires_at > clock_timestamp() AND rider_id = ANY($2::uuid[])
        RETURNING id, rider_id AS "riderId", delivery_id AS "deliveryId"`,
      [afterSeconds, riders],
    )) as [Array<{ id: string; riderId: string; deliveryId: string }>, number];
    return rows;
  }
}
