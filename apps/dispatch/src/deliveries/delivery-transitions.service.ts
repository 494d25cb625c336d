import { Injectable } from '@nestjs/common';
import type { EntityManager, QueryDeepPartialEntity } from 'typeorm';
import { DomainError } from '#platform';
import { DeliveriesRepository, NOW } from './deliveries.repository.js';
import { DeliveryEntity } from './delivery.entity.js';
import { assertTransition, type DeliveryStatus } from './delivery-status.js';
import { DeliveryTransitionsRepository, type TransitionActorType } from './delivery-transitions.repository.js';

/** Who makes a step, and why (a failure's or an unassignment's reason). `id` is null only for the system. */
export interface TransitionActor {
  type: TransitionActorType;
  id: string | null;
  reason?: string | null;
}

export const SYSTEM: TransitionActor = { type: 'system', id: null };

export type DeliveryPatch = QueryDeepPartialEntity<DeliveryEntity>;

/** The time column each status stamps when a delivery reaches it. */
const STAMP: Partial<Record<DeliveryStatus, keyof DeliveryEntity>> = {
  assigned: 'assignedAt',
  picked_up: 'pickedUpAt',
  delivered: 'deliveredAt',
  cancelled: 'cancelledAt',
  failed: 'failedAt',
};

/** Statuses in which a delivery names no rider (a failed one keeps the rider who failed it). */
const RIDERLESS: readonly DeliveryStatus[] = ['pending', 'offered', 'cancelled'];

/**
 * The one way a delivery changes status. Call it inside a transaction that holds the delivery's row lock
 * (`DeliveriesRepository.lock`): it asserts the step, writes the row (status, the status's time, the rider
 * cleared where the status has none, and `patch`) and logs the step with its actor in
 * `dispatch.delivery_transitions`, all in that transaction. Events and rider messages stay with the caller.
 */
@Injectable()
export class DeliveryTransitions {
  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly log: DeliveryTransitionsRepository,
  ) {}

  async apply(manager: EntityManager, delivery: DeliveryEntity, to: DeliveryStatus, actor: TransitionActor, patch: DeliveryPatch = {}): Promise<DeliveryEntity> {
    const from = delivery.status;
    assertTransition(from, to);
    const changes: DeliveryPatch = { status: to };
    const stamp = STAMP[to];
    if (stamp) Object.assign(changes, { [stamp]: NOW });
    if (RIDERLESS.includes(to)) changes.riderId = null;
    // A hold keeps a waiting delivery from automatic dispatch; once it moves on, there is nothing to hold.
    if (to !== 'pending') changes.dispatchHold = false;
    Object.assign(changes, patch);
    if (to === 'assigned' && !changes.riderId) throw new Error(`assigning delivery ${delivery.id} needs a riderId`);
    // Under the caller's row lock the status cannot have moved; the condition makes a missing lock fail loudly.
    const result = await manager.getRepository(DeliveryEntity).update({ id: delivery.id, status: from }, changes);
    if (result.affected !== 1) {
      throw new DomainError('INVALID_TRANSITION', `delivery ${delivery.id} is no longer ${from}`, { from, to });
    }
    const updated = (await this.deliveries.findById(delivery.id, manager))!;
    await this.log.insert(manager, {
      deliveryId: delivery.id,
      from,
      to,
      actorType: actor.type,
      actorId: actor.id,
      riderId: updated.riderId,
      reason: actor.reason ?? null,
    });
    return updated;
  }

  /** Logs a new delivery's first status; its row was just inserted in the same transaction. */
  created(manager: EntityManager, deliveryId: string, actor: TransitionActor): Promise<void> {
    return this.log.insert(manager, { deliveryId, from: null, to: 'pending', actorType: actor.type, actorId: actor.id, riderId: null, reason: null });
  }
}
