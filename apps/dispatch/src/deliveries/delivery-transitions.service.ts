import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainError } from '#platform';
import { DeliveriesRepository, NOW, type DeliveryPatch } from './deliveries.repository.js';
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

export type { DeliveryPatch };

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
    const [moved] = await this.applyToMany(manager, [delivery], to, actor, patch);
    if (!moved) throw new DomainError('INVALID_TRANSITION', `delivery ${delivery.id} is no longer ${delivery.status}`, { from: delivery.status, to });
    return moved;
  }

  /**
   * The same step for several deliveries in one status (all locked by the caller), written and logged by one
   * statement. Returns those that moved, in the order given; under the locks that is all of them.
   */
  async applyToMany(manager: EntityManager, deliveries: DeliveryEntity[], to: DeliveryStatus, actor: TransitionActor, patch: DeliveryPatch = {}): Promise<DeliveryEntity[]> {
    if (deliveries.length === 0) return [];
    const from = deliveries[0]!.status;
    if (deliveries.some((delivery) => delivery.status !== from)) throw new Error(`deliveries moved together must all be ${from}`);
    assertTransition(from, to);
    const changes: DeliveryPatch = { status: to };
    const stamp = STAMP[to];
    if (stamp) Object.assign(changes, { [stamp]: NOW });
    if (RIDERLESS.includes(to)) changes.riderId = null;
    // A hold keeps a waiting delivery from automatic dispatch; once it moves on, there is nothing to hold.
    if (to !== 'pending') changes.dispatchHold = false;
    Object.assign(changes, patch);
    if (to === 'assigned' && !changes.riderId) throw new Error(`assigning a delivery needs a riderId`);
    // Under the caller's row locks the status cannot have moved; the condition makes a missing lock fail loudly.
    const params: unknown[] = [deliveries.map((delivery) => delivery.id), from];
    const set = this.deliveries.setList(changes, params);
    const rows: Array<Record<string, unknown>> = await manager.query(
      `WITH moved AS (UPDATE dispatch.deliveries SET ${set} WHERE id = ANY($1::uuid[]) AND status = $2 RETURNING *),
            logged AS (${this.log.insertSql('moved', params, { from, to, actorType: actor.type, actorId: actor.id, reason: actor.reason ?? null })})
       SELECT * FROM moved`,
      params,
    );
    const moved = new Map(rows.map((row) => [row.id as string, this.deliveries.toEntity(row)]));
    return deliveries.flatMap((delivery) => moved.get(delivery.id) ?? []);
  }

  /**
   * Riders' accepts: each offered delivery (locked by the caller) is assigned to the rider who accepted it, and
   * logged with that rider as actor, by one statement. The capacity trigger checks every rider; one beyond its
   * capacity fails the statement. Returns the deliveries assigned, in the order given.
   */
  async assignToRiders(manager: EntityManager, assignments: Array<{ delivery: DeliveryEntity; riderId: string }>): Promise<DeliveryEntity[]> {
    if (assignments.length === 0) return [];
    for (const { delivery } of assignments) assertTransition(delivery.status, 'assigned');
    const rows: Array<Record<string, unknown>> = await manager.query(
      `WITH input AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(delivery_id uuid, rider_id uuid, from_status text)),
            moved AS (
              UPDATE dispatch.deliveries d
                 SET status = 'assigned', rider_id = i.rider_id, ${this.deliveries.columnName(STAMP.assigned!)} = now(),
                     manual_dispatch_since = NULL, dispatch_hold = false, updated_at = now()
                FROM input i
               WHERE d.id = i.delivery_id AND d.status = i.from_status
              RETURNING d.*, i.from_status AS moved_from),
            logged AS (
              INSERT INTO dispatch.delivery_transitions (id, delivery_id, from_status, to_status, actor_type, actor_id, rider_id, reason, at)
              SELECT gen_random_uuid(), id, moved_from, status, 'rider', rider_id, rider_id, NULL, now() FROM moved)
       SELECT * FROM moved`,
      [JSON.stringify(assignments.map(({ delivery, riderId }) => ({ delivery_id: delivery.id, rider_id: riderId, from_status: delivery.status })))],
    );
    const moved = new Map(rows.map((row) => [row.id as string, this.deliveries.toEntity(row)]));
    return assignments.flatMap(({ delivery }) => moved.get(delivery.id) ?? []);
  }

  /**
   * Riders' own steps on deliveries they carry (picked up, delivered), many at once: each delivery moves only if
   * it is still `from` and assigned to that rider, with its status time stamped, and every move is logged, by one
   * statement. Returns the deliveries that moved; a step that did not (someone else's delivery, a report sent
   * twice, a delivery taken back meanwhile) is left for the caller to answer through `apply`.
   */
  async applyRiderSteps(
    manager: EntityManager,
    steps: Array<{ deliveryId: string; riderId: string; from: DeliveryStatus; to: 'picked_up' | 'delivered' }>,
  ): Promise<DeliveryEntity[]> {
    for (const step of steps) assertTransition(step.from, step.to);
    const stamps = (['picked_up', 'delivered'] as const).map((to) => {
      const column = this.deliveries.columnName(STAMP[to]!);
      return `${column} = CASE WHEN i.to_status = '${to}' THEN now() ELSE d.${column} END`;
    });
    const rows: Array<Record<string, unknown>> = await manager.query(
      `WITH input AS (
              SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) AS i(delivery_id, rider_id, from_status, to_status)),
            moved AS (
              UPDATE dispatch.deliveries d SET status = i.to_status, ${stamps.join(', ')}, dispatch_hold = false, updated_at = now()
                FROM input i
               WHERE d.id = i.delivery_id AND d.rider_id = i.rider_id AND d.status = i.from_status
              RETURNING d.*, i.from_status AS moved_from),
            logged AS (
              INSERT INTO dispatch.delivery_transitions (id, delivery_id, from_status, to_status, actor_type, actor_id, rider_id, reason, at)
              SELECT gen_random_uuid(), id, moved_from, status, 'rider', rider_id, rider_id, NULL, now() FROM moved)
       SELECT * FROM moved`,
      [steps.map((s) => s.deliveryId), steps.map((s) => s.riderId), steps.map((s) => s.from), steps.map((s) => s.to)],
    );
    return rows.map((row) => this.deliveries.toEntity(row));
  }

  /** SQL logging the first status of the deliveries in `source` (a CTE of rows just inserted), for `insertFrom`. */
  createdSql(source: string, params: unknown[], actor: TransitionActor): string {
    return this.log.insertSql(source, params, { from: null, to: 'pending', actorType: actor.type, actorId: actor.id, reason: actor.reason ?? null });
  }
}
