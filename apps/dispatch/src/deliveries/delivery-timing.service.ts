import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PATTERNS, type OrderTimingChangedEvent } from '#contracts';
import { claimInboxEvent } from '#database';
import { about, DomainError } from '#platform';
import { DispatchWakeup } from '../offers/dispatch-wakeup.js';
import { RiderChannel } from '../riders/rider-channel.js';
import { DeliveriesRepository } from './deliveries.repository.js';
import type { DeliveryEntity } from './delivery.entity.js';
import { deliveryIds } from './delivery-log.js';
import type { DeliveryStatus } from './delivery-status.js';
import { DeliveryTransitionsRepository } from './delivery-transitions.repository.js';
import { deliveryTiming } from './delivery.views.js';

/** Once the food is collected (or the delivery is over), when it is ready no longer matters. */
const TIMING_SETTLED: readonly DeliveryStatus[] = ['picked_up', 'delivered', 'cancelled', 'failed'];

/** The line a timing change leaves in the delivery's log. */
function timingReason(event: OrderTimingChangedEvent): string {
  return event.change === 'ready' ? `ready now (${event.readyAt})` : `delayed ${event.delayMinutes ?? '?'} min; ready at ${event.readyAt}`;
}

/**
 * A restaurant's "ready now" or "delayed" (`order.timing-changed`), once per event: the delivery's ready time
 * moves and the change is logged as a step of the delivery (its status stays), in one transaction with the
 * event's inbox claim; then the riders it concerns are told and dispatch is woken to plan with the new time.
 */
@Injectable()
export class DeliveryTimingService {
  private readonly logger = new Logger('deliveries');

  constructor(
    private readonly dataSource: DataSource,
    private readonly deliveries: DeliveriesRepository,
    private readonly log: DeliveryTransitionsRepository,
    private readonly channel: RiderChannel,
    private readonly wakeup: DispatchWakeup,
  ) {}

  /** Returns the delivery as changed, or null when the event was handled before or changes nothing now. */
  async apply(event: OrderTimingChangedEvent): Promise<DeliveryEntity | null> {
    const changed = await this.dataSource.transaction(async (manager) => {
      if (!(await claimInboxEvent(manager, 'dispatch', event.eventId, PATTERNS.ORDER_TIMING_CHANGED))) return null;
      const current = await this.deliveries.lockByOrder(manager, event.orderId);
      // Its order.created was written first, but may be delivered later: refused, the event is sent again.
      if (!current || current.agencyId !== event.agencyId) throw new DomainError('DELIVERY_NOT_FOUND', `no delivery for order ${event.orderId} yet`);
      const said = new Date(event.occurredAt);
      if (TIMING_SETTLED.includes(current.status) || (current.readyChangedAt && current.readyChangedAt > said)) return null;
      const updated = await this.deliveries.update(manager, current, { readyAt: new Date(event.readyAt), readyChange: event.change, readyChangedAt: said });
      await this.log.insert(manager, {
        deliveryId: current.id,
        from: current.status,
        to: current.status,
        actorType: 'restaurant',
        actorId: current.restaurantId,
        riderId: current.riderId,
        reason: timingReason(event),
      });
      const riders = new Set(await this.deliveries.pendingOfferRiders(manager, current.id));
      if (updated.riderId) riders.add(updated.riderId);
      return { delivery: updated, riders };
    });
    if (!changed) return null;
    const { delivery, riders } = changed;
    for (const riderId of riders) {
      this.channel.send(riderId, 'delivery:timing', { deliveryId: delivery.id, ...deliveryTiming(delivery), delayMinutes: event.delayMinutes ?? null });
    }
    this.wakeup.wake();
    this.logger.log(about(deliveryIds(delivery), `delivery ${delivery.id} ${timingReason(event)}`));
    return delivery;
  }
}
