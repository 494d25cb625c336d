import { Inject, Injectable } from '@nestjs/common';
import { PATTERNS, type DeliveryStatusChangedEvent } from '#contracts';
import { DomainError } from '#platform';
import { CallbacksService } from '../callbacks/callbacks.service.js';
import { INTAKE_LOG, type IntakeLog } from '../intake.logger.js';
import { movesForward } from '../orders/order-status.js';
import { DeliveryUpdatesRepository, type DeliveryDetails } from './delivery-updates.repository.js';

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
    const details: DeliveryDetails = {
      fee: fee && { total: fee.total, currency: fee.currency, distanceMeters: fee.distanceMeters, provider: fee.provider, estimated: fee.estimated },
      rider: rider && { id: rider.id, name: rider.name },
    };
    const outcome = await this.updates.transaction(async (manager): Promise<DeliveryUpdateOutcome> => {
      if (!(await this.updates.claim(manager, event.eventId, PATTERNS.DELIVERY_STATUS_CHANGED))) return 'duplicate';
      const order = await this.updates.lockOrder(manager, event.orderId);
      // Dispatch only knows orders intake sent it, so this is a bug; failing keeps the event for a retry.
      if (!order) throw new DomainError('ORDER_NOT_FOUND', `delivery ${event.deliveryId} names unknown order ${event.orderId}`);
      if (movesForward(order.status, event.status)) {
        await this.updates.advance(manager, event.orderId, event.status, new Date(event.occurredAt), details);
        // The restaurant hears of the change only if it commits, and surely if it does.
        await this.callbacks.enqueue(manager, {
          orderId: event.orderId,
          status: event.status,
          previousStatus: order.status,
          at: new Date(event.occurredAt),
          reason: event.reason,
        });
        return 'applied';
      }
      if (event.status !== 'cancelled') await this.updates.recordStatus(manager, event.orderId, event.status, new Date(event.occurredAt));
      if ((details.fee && !order.hasFee) || (details.rider && !order.hasRider)) {
        await this.updates.fillDetails(manager, event.orderId, details);
      }
      return 'late';
    });
    if (outcome === 'applied') this.callbacks.wake();
    this.log.info(
      { orderId: event.orderId, deliveryId: event.deliveryId, eventId: event.eventId, status: event.status, outcome },
      'delivery status',
    );
    return outcome;
  }
}
