import { Inject, Injectable } from '@nestjs/common';
import { PATTERNS, type DeliveryStatusChangedEvent } from '#contracts';
import { DomainError } from '#platform';
import { CallbacksService } from '../callbacks/callbacks.service.js';
import { INTAKE_LOG, type IntakeLog } from '../intake.logger.js';
import { movesForward, type OrderStatus } from '../orders/order-status.js';
import { DeliveryUpdatesRepository, type DeliveryDetails, type OrderProgress } from './delivery-updates.repository.js';

export type DeliveryUpdateOutcome = 'applied' | 'late' | 'duplicate';

@Injectable()
export class DeliveryUpdatesService {
  constructor(
    @Inject(INTAKE_LOG) private readonly log: IntakeLog,
    private readonly updates: DeliveryUpdatesRepository,
    private readonly callbacks: CallbacksService,
  ) {}

  /**
   * Mirrors a delivery's status on the restaurant's order, once per event. Statuses only move forward: an
   * event that arrives after a newer one (consumers may run events of one order concurrently, and a requeued
   * message comes back later) does not move the order back, but the order did pass through that status, so it
   * joins the history at the time it happened, and fills in details the order still lacks (a fee quoted before
   * an assignment that overtook it). A late cancellation is the exception: an order delivered was not cancelled.
   */
  async apply(event: DeliveryStatusChangedEvent): Promise<DeliveryUpdateOutcome> {
    const { fee, rider } = event;
    const at = new Date(event.occurredAt);
    const details: DeliveryDetails = {
      fee: fee && { total: fee.total, currency: fee.currency, distanceMeters: fee.distanceMeters, provider: fee.provider, estimated: fee.estimated },
      rider: rider && { id: rider.id, name: rider.name },
    };
    // `queued` is false when the restaurant has no callback URL: then there is nothing to wake the sender for.
    const { outcome, queued } = await this.updates.transaction(async (manager): Promise<{ outcome: DeliveryUpdateOutcome; queued: boolean }> => {
      if (!(await this.updates.claim(manager, event.eventId, PATTERNS.DELIVERY_STATUS_CHANGED))) return { outcome: 'duplicate', queued: false };
      const order = await this.updates.lockOrder(manager, event.orderId);
      // Dispatch only knows orders intake sent it, so this is a bug; failing keeps the event for a retry.
      if (!order) throw new DomainError('ORDER_NOT_FOUND', `delivery ${event.deliveryId} names unknown order ${event.orderId}`);
      const enqueue = (status: OrderStatus) =>
        // The restaurant hears of the change only if it commits, and surely if it does.
        this.callbacks.enqueue(manager, { orderId: event.orderId, status, previousStatus: order.status, at, reason: event.reason });

      if (isRiderChange(order, event, at)) {
        // The agency took the order back from its rider (it waits for another) or gave it to another rider.
        const status: OrderStatus = event.status === 'unassigned' ? (order.hasFee ? 'quoted' : 'received') : 'assigned';
        await this.updates.changeRider(manager, event.orderId, status, event.status === 'unassigned' ? undefined : details.rider, at);
        return { outcome: 'applied', queued: await enqueue(status) };
      }
      if (event.status === 'unassigned') return { outcome: 'late', queued: false };
      // An assignment from before the rider last changed is history, not news: it must not bring that rider back.
      const superseded = event.status === 'assigned' && order.riderChangedAt !== null && at <= order.riderChangedAt;
      if (!superseded && movesForward(order.status, event.status)) {
        await this.updates.advance(manager, event.orderId, event.status, at, details);
        return { outcome: 'applied', queued: await enqueue(event.status) };
      }
      if (event.status !== 'cancelled') await this.updates.recordStatus(manager, event.orderId, event.status, at);
      const fillRider = details.rider && !order.riderId && !superseded;
      if ((details.fee && !order.hasFee) || fillRider) {
        await this.updates.fillDetails(manager, event.orderId, { fee: details.fee, rider: fillRider ? details.rider : undefined }, at);
      }
      return { outcome: 'late', queued: false };
    });
    if (queued) this.callbacks.wake();
    this.log.info(
      { orderId: event.orderId, deliveryId: event.deliveryId, eventId: event.eventId, status: event.status, outcome },
      'delivery status',
    );
    return outcome;
  }
}

/**
 * A change of rider made by the agency on an assigned order, newer than the rider the order has: taken back
 * (`unassigned`) or given to another rider (`assigned` again, naming someone else).
 */
function isRiderChange(order: OrderProgress, event: DeliveryStatusChangedEvent, at: Date): boolean {
  if (order.status !== 'assigned' || (order.riderChangedAt !== null && at <= order.riderChangedAt)) return false;
  if (event.status === 'unassigned') return true;
  return event.status === 'assigned' && event.rider !== undefined && event.rider.id !== order.riderId;
}
