import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { DeliveryChargeEvent } from '#contracts';

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
   * Inserts the delivery's charge or merges the event into it, in one statement: the conflicting row is locked
   * by `ON CONFLICT DO UPDATE`, so two events for one delivery at once apply one after the other. The quote,
   * order, agency and restaurant are those of the first event. The stage only moves forward (assigned <
   * picked_up < delivered; cancelled only from before delivered, and then for good); each timestamp is kept
   * from the event that carries it (for assignments, the latest; never a delivery time on a cancelled charge
   * nor a cancellation time on a delivered one), and the rider is the latest assignment's (another stage's
   * rider only fills a gap). Returns undefined when the quote is unknown here.
   */
  async merge(event: DeliveryChargeEvent): Promise<MergedCharge | undefined> {
    const at = new Date(event.at);
    try {
      const [row]: Array<{ quote_id: string; stage: string; rider_id: string | null }> = await this.dataSource.query(
        `INSERT INTO fee.charges AS c
           (delivery_id, order_id, agency_id, restaurant_id, quote_id, rider_id, stage, assigned_at, delivered_at, cancelled_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7,
           CASE WHEN $7 = 'assigned' THEN $8::timestamptz END,
           CASE WHEN $7 = 'delivered' THEN $8::timestamptz END,
           CASE WHEN $7 = 'cancelled' THEN $8::timestamptz END,
           now())
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
         RETURNING quote_id, stage, rider_id`,
        [event.deliveryId, event.orderId, event.agencyId, event.restaurantId, event.quoteId, event.riderId ?? null, event.stage, at],
      );
      return { quoteId: row.quote_id, stage: row.stage, riderId: row.rider_id };
    } catch (error) {
      if ((error as { code?: string }).code === FOREIGN_KEY_VIOLATION) return undefined;
      throw error;
    }
  }
}

const STAGE_ORDER = "ARRAY['assigned', 'picked_up', 'delivered']";
