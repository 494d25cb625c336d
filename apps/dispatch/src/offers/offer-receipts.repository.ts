import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GroupCommit } from '#database';

export interface SeenReceipt {
  seenAt: Date | null;
  createdAt: Date;
  first: boolean;
}

interface Receipt {
  riderId: string;
  offerId: string;
}

/** Receipts written by one statement at most. */
const RECEIPT_BATCH = 200;

/** Offers' receipts: when each reached its rider's app, and shortening the time of those that never did. */
@Injectable()
export class OfferReceiptsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Marks riders' offers seen, once (a second receipt keeps the first time), while they are open: one that closed
   * before it was seen (an app told of it only by a replay) stays unseen, `seenAt` null. Receipts that arrive
   * together are written by one statement (riders' apps acknowledge every offer: at 100 offers a second that was
   * 100 round trips a second). Each receipt's answer is undefined when its rider has no such offer; `first` when
   * this receipt is the one that marked it (of two receipts of one offer together, the first).
   */
  markSeen(riderId: string, offerId: string): Promise<SeenReceipt | undefined> {
    return this.receipts.submit({ riderId, offerId });
  }

  private readonly receipts = new GroupCommit<Receipt, SeenReceipt | undefined>(
    (items) => this.markManySeen(items),
    async (item) => (await this.markManySeen([item]))[0],
    { maxBatch: RECEIPT_BATCH, maxInFlight: 2 },
  );

  private async markManySeen(items: Receipt[]): Promise<Array<SeenReceipt | undefined>> {
    const [rows] = (await this.dataSource.query(
      `UPDATE dispatch.offers o SET seen_at = CASE WHEN o.status = 'pending' THEN coalesce(o.seen_at, clock_timestamp()) ELSE o.seen_at END
         FROM (SELECT f.id, f.seen_at IS NULL AND f.status = 'pending' AS first
                 FROM dispatch.offers f JOIN unnest($1::uuid[], $2::uuid[]) AS r(offer_id, rider_id) ON f.id = r.offer_id AND f.rider_id = r.rider_id
                WHERE f.id = ANY($1::uuid[])
                ORDER BY f.id FOR UPDATE OF f) before
        WHERE o.id = before.id
        RETURNING o.id, o.rider_id AS "riderId", o.seen_at AS "seenAt", o.created_at AS "createdAt", before.first`,
      [items.map((item) => item.offerId), items.map((item) => item.riderId)],
    )) as [Array<SeenReceipt & { id: string; riderId: string }>, number];
    // An offer is its rider's: a receipt naming another rider finds none.
    const byOffer = new Map(rows.map(({ id, riderId, ...receipt }) => [`${id} ${riderId}`, receipt]));
    const answered = new Set<string>();
    return items.map(({ offerId, riderId }) => {
      const key = `${offerId} ${riderId}`;
      const receipt = byOffer.get(key);
      if (!receipt) return undefined;
      const first = receipt.first && !answered.has(key);
      answered.add(key);
      return { ...receipt, first };
    });
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
