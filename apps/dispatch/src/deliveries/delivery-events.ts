import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  DELIVERY_CHARGE_STAGES,
  PATTERNS,
  type DeliveryChargeEvent,
  type DeliveryChargeStage,
  type DeliveryEventStatus,
  type DeliveryStatusChangedEvent,
} from '#contracts';
import type { OutboxMessage } from '#database';
import { EventOutbox, outboxMessage } from '#messaging';
import type { DeliveryEntity } from './delivery.entity.js';

type StatusPayload = Omit<DeliveryStatusChangedEvent, 'eventId' | 'occurredAt'>;
type ChargePayload = Omit<DeliveryChargeEvent, 'eventId' | 'occurredAt'>;

/** When the delivery reached each stage the fee service settles on. */
const STAGE_TIME: Record<DeliveryChargeStage, (d: DeliveryEntity) => Date | null> = {
  assigned: (d) => d.assignedAt,
  picked_up: (d) => d.pickedUpAt,
  delivered: (d) => d.deliveredAt,
  cancelled: (d) => d.cancelledAt,
};

/**
 * The events a delivery's steps cause: `delivery.status-changed` for the restaurant's side, and for a priced
 * delivery that a rider took, `delivery.charge` for the fee service's settlement. `record` writes them inside
 * the caller's transaction, so they leave only if the state change commits; `flush` after the commit sends
 * them at once.
 */
@Injectable()
export class DeliveryEvents {
  constructor(private readonly outbox: EventOutbox) {}

  /** `releasedRiderId`: on a cancel, the rider the delivery was taken from (the delivery no longer names one). */
  async record(
    manager: EntityManager,
    delivery: DeliveryEntity,
    status: DeliveryEventStatus,
    rider?: { id: string; name: string },
    releasedRiderId?: string,
    reason?: string,
  ): Promise<void> {
    await this.outbox.addAll(manager, eventsOf(delivery, status, rider, releasedRiderId, reason));
  }

  /** The events of several deliveries' steps, written by one statement, in this order. */
  async recordAll(
    manager: EntityManager,
    steps: Array<{ delivery: DeliveryEntity; status: DeliveryEventStatus; rider?: { id: string; name: string } }>,
  ): Promise<void> {
    await this.outbox.addAll(manager, steps.flatMap(({ delivery, status, rider }) => eventsOf(delivery, status, rider)));
  }

  /**
   * A delivery taken while its fee was pending reached stages with no quote to charge at. Once it is priced,
   * the charges of those stages are written, in the order they happened and with the times they happened.
   */
  async recordLateCharges(manager: EntityManager, delivery: DeliveryEntity): Promise<void> {
    const charges = DELIVERY_CHARGE_STAGES.map((stage) => chargeOf(delivery, stage, delivery.riderId ?? undefined)).filter((charge) => charge !== undefined);
    await this.outbox.addAll(manager, charges.map((payload) => ({ pattern: PATTERNS.DELIVERY_CHARGE, payload })));
  }

  /**
   * The events of several deliveries' steps, each with a fresh id and time but not yet written, tagged with its
   * delivery: for a statement that writes only those of the deliveries it moved (see `priceWaitingStatement`).
   */
  prepareAll(steps: Array<{ delivery: DeliveryEntity; status: DeliveryEventStatus }>): Array<{ deliveryId: string; message: OutboxMessage }> {
    return steps.flatMap(({ delivery, status }) =>
      eventsOf(delivery, status).map(({ pattern, payload }) => ({ deliveryId: delivery.id, message: this.outbox.prepare(pattern, payload) })),
    );
  }

  flush(): void {
    this.outbox.poke();
  }
}

/**
 * The events of one step, ready for `addToOutbox`: for a process without the service's outbox (the admin CLI)
 * that writes a step in its own transaction; a running dispatch's relay publishes them.
 */
export function deliveryStepMessages(delivery: DeliveryEntity, status: DeliveryEventStatus, reason?: string): OutboxMessage[] {
  return eventsOf(delivery, status, undefined, undefined, reason).map(({ pattern, payload }) => outboxMessage(pattern, payload));
}

/** The restaurant's status event of a step, and the fee service's charge if the step is charged. */
function eventsOf(
  delivery: DeliveryEntity,
  status: DeliveryEventStatus,
  rider?: { id: string; name: string },
  releasedRiderId?: string,
  reason?: string,
): Array<{ pattern: typeof PATTERNS.DELIVERY_STATUS_CHANGED | typeof PATTERNS.DELIVERY_CHARGE; payload: object }> {
  const payload: StatusPayload = { orderId: delivery.orderId, deliveryId: delivery.id, status };
  if (status === 'quoted' && delivery.fee) {
    const { total, distanceMeters, provider, estimated } = delivery.fee;
    payload.fee = { total, currency: 'KRW', distanceMeters, provider, estimated };
  }
  if (rider) payload.rider = { id: rider.id, name: rider.name };
  if (status === 'failed' && delivery.failureReason) payload.reason = delivery.failureReason;
  if (reason) payload.reason = reason;
  const charge = chargeOf(delivery, status, rider?.id ?? delivery.riderId ?? releasedRiderId);
  return [{ pattern: PATTERNS.DELIVERY_STATUS_CHANGED, payload }, ...(charge ? [{ pattern: PATTERNS.DELIVERY_CHARGE, payload: charge }] : [])];
}

/**
 * What the fee service settles on, for a priced delivery at a stage it charges. A cancel charges only once a
 * rider had taken the job: called off before that, nobody did any work. A failed trip (always after a rider took
 * it) is settled as a cancel after assignment, at the time it failed.
 */
function chargeOf(delivery: DeliveryEntity, status: DeliveryEventStatus, riderId: string | undefined): ChargePayload | undefined {
  const stage = status === 'failed' ? 'cancelled' : DELIVERY_CHARGE_STAGES.find((s) => s === status);
  const quoteId = delivery.fee?.quoteId;
  const at = status === 'failed' ? delivery.failedAt : stage && STAGE_TIME[stage](delivery);
  if (!stage || !quoteId || !at || (stage === 'cancelled' && !delivery.assignedAt)) return undefined;
  return {
    deliveryId: delivery.id,
    orderId: delivery.orderId,
    agencyId: delivery.agencyId,
    restaurantId: delivery.restaurantId,
    quoteId,
    stage,
    ...(riderId ? { riderId } : {}),
    at: at.toISOString(),
  };
}
