import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { DeliveryChargeEvent } from '#contracts';
import { GroupCommit, queryPrepared } from '#database';

/** The row as it stands after an event was merged in. */
export interface MergedCharge {
  quoteId: string;
  stage: string;
  riderId: string | null;
}

/** Postgres' foreign_key_violation. */
const FOREIGN_KEY_VIOLATION = '23503';

@Injectable()
export class ChargesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Inserts each event's delivery charge or merges the event into it: the conflicting row is locked by
   * `ON CONFLICT DO UPDATE`, so two events for one delivery at once apply one after the other. The quote, order,
   * agency and restaurant are those of the first event. The stage only moves forward (assigned < picked_up <
   * delivered; cancelled only from before delivered, and then for good); each timestamp is kept from the event
   * that carries it (for assignments, the latest; never a delivery time on a cancelled charge nor a
   * cancellation time on a delivered one), and the rider is the latest assignment's (another stage's rider only
   * fills a gap). Events that arrive together are merged together (see GroupCommit): one transaction, one
   * statement per round in which each delivery appears once, in the order they came. Returns, per event, the
   * row as merged, or undefined when the quote is unknown here.
   */
  merge(event: DeliveryChargeEvent): Promise<MergedCharge | undefined> {
    return this.merges.submit(event);
  }

  private readonly merges = new GroupCommit<DeliveryChargeEvent, MergedCharge | undefined>(
    (events) => this.dataSource.transaction((manager) => this.mergeAll(manager, events)),
    async (event) => {
      try {
        return (await this.mergeAll(this.dataSource.manager, [event]))[0];
      } catch (error) {
        if ((error as { code?: string }).code === FOREIGN_KEY_VIOLATION) return undefined;
        throw error;
      }
    },
    { maxBatch: 200, maxInFlight: 2 },
  );

  private async mergeAll(manager: EntityManager, events: DeliveryChargeEvent[]): Promise<MergedCharge[]> {
    const merged: MergedCharge[] = new Array(events.length);
    for (const round of rounds(events, (event) => event.deliveryId.toLowerCase())) {
      const rows = (await queryPrepared(manager, {
        text: `INSERT INTO fee.charges AS c
           (delivery_id, order_id, agency_id, restaurant_id, quote_id, rider_id, stage, assigned_at, delivered_at, cancelled_at, updated_at)
         SELECT e.delivery_id, e.order_id, e.agency_id, e.restaurant_id, e.quote_id, e.rider_id, e.stage,
                CASE WHEN e.stage = 'assigned' THEN e.at END,
                CASE WHEN e.stage = 'delivered' THEN e.at END,
                CASE WHEN e.stage = 'cancelled' THEN e.at END,
                now()
           FROM jsonb_to_recordset($1::jsonb)
             AS e(delivery_id uuid, order_id uuid, agency_id uuid, restaurant_id uuid, quote_id uuid, rider_id uuid, stage text, at timestamptz)
         ON CONFLICT (delivery_id) DO UPDATE SET
           stage = CASE
             WHEN c.stage IN ('delivered', 'cancelled') THEN c.stage
             WHEN EXCLUDED.stage = 'cancelled' THEN 'cancelled'
             WHEN array_position(${STAGE_ORDER}, EXCLUDED.stage) > array_position(${STAGE_ORDER}, c.stage) THEN EXCLUDED.stage
             ELSE c.stage
           END,
           rider_id = CASE
             WHEN EXCLUDED.stage = 'assigned' AND EXCLUDED.rider_id IS NOT NULL
               AND (c.assigned_at IS NULL OR EXCLUDED.assigned_at >= c.assigned_at) THEN EXCLUDED.rider_id
             ELSE coalesce(c.rider_id, EXCLUDED.rider_id)
           END,
           assigned_at = greatest(c.assigned_at, EXCLUDED.assigned_at),
           delivered_at = CASE WHEN c.stage = 'cancelled' THEN c.delivered_at ELSE coalesce(c.delivered_at, EXCLUDED.delivered_at) END,
           cancelled_at = CASE WHEN c.stage = 'delivered' THEN c.cancelled_at ELSE coalesce(c.cancelled_at, EXCLUDED.cancelled_at) END,
           updated_at = now()
         RETURNING delivery_id, quote_id, stage, rider_id`,
        values: [
          JSON.stringify(
            round.map(({ item: e }) => ({
              delivery_id: e.deliveryId,
              order_id: e.orderId,
              agency_id: e.agencyId,
              restaurant_id: e.restaurantId,
              quote_id: e.quoteId,
              rider_id: e.riderId ?? null,
              stage: e.stage,
              at: new Date(e.at).toISOString(),
            })),
          ),
        ],
      })) as Array<{ delivery_id: string; quote_id: string; stage: string; rider_id: string | null }>;
      const byDelivery = new Map(rows.map((row) => [row.delivery_id, row]));
      for (const { item, index } of round) {
        const row = byDelivery.get(item.deliveryId.toLowerCase())!;
        merged[index] = { quoteId: row.quote_id, stage: row.stage, riderId: row.rider_id };
      }
    }
    return merged;
  }
}

/**
 * The items split into rounds in which each key appears at most once: an upsert may not touch a row twice in one
 * statement. Each round keeps the items' order, and an item with a key seen before goes to a later round.
 */
function rounds<T>(items: T[], keyOf: (item: T) => string): Array<Array<{ item: T; index: number }>> {
  const result: Array<Array<{ item: T; index: number }>> = [];
  const seen = new Map<string, number>();
  items.forEach((item, index) => {
    const key = keyOf(item);
    const round = seen.has(key) ? seen.get(key)! + 1 : 0;
    seen.set(key, round);
    (result[round] ??= []).push({ item, index });
  });
  return result;
}

const STAGE_ORDER = "ARRAY['assigned', 'picked_up', 'delivered']";
