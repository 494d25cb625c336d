import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { keysIn, queryPrepared, type Statement } from '#database';
import { DomainError } from '#platform';
import { AgencyAudit } from '../audit/agency-audit.js';
import type { AuditAction } from '../audit/audit-actions.js';
import { DeliveriesRepository, NOW, type DeliveryPatch } from './deliveries.repository.js';
import { DeliveryEntity } from './delivery.entity.js';
import { assertTransition, type DeliveryStatus } from './delivery-status.js';
import { DeliveryTransitionsRepository, type TransitionActorType } from './delivery-transitions.repository.js';

/** Who makes a step, and why (a failure's or an unassignment's reason). `id` is null only for the system. */
export interface TransitionActor {
  type: TransitionActorType;
  id: string | null;
  reason?: string | null;
  /** When the actor says the step happened (a rider's report sent after its network returned); the step is dated so. */
  reportedAt?: Date;
}

export const SYSTEM: TransitionActor = { type: 'system', id: null };

/** One delivery's part in a step several take together (`applyEach`). */
export interface Move {
  id: string;
  /** Its status before the step. */
  from: DeliveryStatus;
  /** The rider it names after the step, where each delivery has its own (each accept's rider). */
  riderId?: string;
  /** Moves only if the delivery names this rider: a rider's report on a delivery it carries. */
  carriedBy?: string;
  /** The actor, where each delivery has its own (each rider for its own delivery). */
  actorId?: string;
}

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
    private readonly audit: AgencyAudit,
  ) {}

  /** One delivery's step; the agency's own steps also go in its audit log, in the same transaction. */
  async apply(manager: EntityManager, delivery: DeliveryEntity, to: DeliveryStatus, actor: TransitionActor, patch: DeliveryPatch = {}): Promise<DeliveryEntity> {
    const { riderId, ...rest } = patch;
    const move: Move = { id: delivery.id, from: delivery.status, ...(typeof riderId === 'string' ? { riderId } : {}) };
    const [moved] = await this.applyEach(manager, [move], to, actor, rest);
    if (!moved) throw new DomainError('INVALID_TRANSITION', `delivery ${delivery.id} is no longer ${delivery.status}`, { from: delivery.status, to });
    const action = actor.type === 'agency' ? agencyAction(delivery.status, to) : undefined;
    if (action) {
      await this.audit.record(manager, action, moved.id, {
        orderId: moved.orderId,
        from: delivery.status,
        to,
        riderId: moved.riderId ?? delivery.riderId,
        ...(actor.reason ? { reason: actor.reason } : {}),
        ...(rest.dispatchHold ? { hold: true } : {}),
      });
    }
    return moved;
  }

  /**
   * The same step for several deliveries, written and logged by one statement: `apply` for one delivery, a
   * sweep's offers, a batch of accepts or of riders' reports. Each move names its delivery's status before the
   * step (under the caller's row locks it cannot have moved; the condition makes a missing lock fail loudly) and,
   * where they differ per delivery, its rider and the actor; `carriedBy` moves a delivery only if it names that
   * rider (a rider's report, taken without a lock: the update locks the row). Returns the deliveries that moved,
   * in the order given.
   */
  async applyEach(manager: EntityManager, moves: Move[], to: DeliveryStatus, actor: TransitionActor, patch: DeliveryPatch = {}): Promise<DeliveryEntity[]> {
    if (moves.length === 0) return [];
    const statement = this.applyEachStatement(moves, to, actor, patch);
    return this.movedBy(await queryPrepared(manager, statement), moves);
  }

  /**
   * `applyEach` as a statement, for a caller that sends it with others in one round trip (pipelinedTransaction):
   * `where` adds a condition on the delivery `d`, its values appended to the params it is given, so the moves
   * can depend on what the statements before it did. `movedBy` reads its rows.
   */
  applyEachStatement(moves: Move[], to: DeliveryStatus, actor: TransitionActor, patch: DeliveryPatch = {}, where?: (params: unknown[]) => string): Statement {
    for (const move of moves) assertTransition(move.from, to);
    if (to === 'assigned' && moves.some((move) => !move.riderId)) throw new Error('assigning a delivery needs a riderId');
    const changes: DeliveryPatch = { status: to };
    const stamp = STAMP[to];
    // A reported time dates the step (settlements and the board read it); the log keeps when it was received too.
    if (stamp) Object.assign(changes, { [stamp]: actor.reportedAt ? () => 'coalesce(step.reported_at, now())' : NOW });
    if (RIDERLESS.includes(to)) changes.riderId = null;
    else if (moves.some((move) => move.riderId)) changes.riderId = () => 'coalesce(step.rider_id, d.rider_id)';
    // A hold keeps a waiting delivery from automatic dispatch; once it moves on, there is nothing to hold.
    if (to !== 'pending') changes.dispatchHold = false;
    Object.assign(changes, patch);
    const params: unknown[] = [
      JSON.stringify(
        moves.map((move) => ({
          id: move.id,
          from: move.from,
          rider_id: move.riderId ?? null,
          carrier: move.carriedBy ?? null,
          actor_id: move.actorId ?? actor.id,
          reported_at: actor.reportedAt?.toISOString() ?? null,
        })),
      ),
    ];
    const set = this.deliveries.setList(changes, params);
    const condition = where ? ` AND (${where(params)})` : '';
    return {
      text: `WITH step AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS step(id uuid, "from" text, rider_id uuid, carrier uuid, actor_id uuid, reported_at timestamptz)),
            moved AS (
              UPDATE dispatch.deliveries d SET ${set} FROM step
               WHERE d.id = step.id AND d.id = ${keysIn('$1', 'id')} AND d.status = step."from" AND (step.carrier IS NULL OR d.rider_id = step.carrier)${condition}
              RETURNING d.*, step."from" AS step_from, step.actor_id AS step_actor, step.reported_at AS step_reported_at),
            logged AS (${this.log.insertSql('moved', params, { from: { column: 'step_from' }, to, actorType: actor.type, actorId: { column: 'step_actor' }, reason: actor.reason ?? null, reportedAt: { column: 'step_reported_at' } })})
       SELECT * FROM moved`,
      values: params,
    };
  }

  /** The deliveries an `applyEachStatement` moved, from its rows, in the order of its moves. */
  movedBy(rows: Array<Record<string, unknown>>, moves: Move[]): DeliveryEntity[] {
    const moved = new Map(rows.map((row) => [row.id as string, this.deliveries.toEntity(row)]));
    return [...new Set(moves.map((move) => move.id))].flatMap((id) => moved.get(id) ?? []);
  }

  /**
   * SQL logging the first status of the deliveries in `source` (a CTE of rows just inserted), for
   * `insertForEvents`: each was made by its restaurant's order.
   */
  createdSql(source: string, params: unknown[]): string {
    return this.log.insertSql(source, params, { from: null, to: 'pending', actorType: 'restaurant', actorId: { column: 'restaurant_id' }, reason: null });
  }
}

/** The audit log's name for a step the agency takes by hand. */
function agencyAction(from: DeliveryStatus, to: DeliveryStatus): AuditAction | undefined {
  if (to === 'assigned') return from === 'assigned' ? 'delivery.reassigned' : 'delivery.assigned';
  if (to === 'pending') return 'delivery.unassigned';
  if (to === 'cancelled') return 'delivery.cancelled';
  if (to === 'failed') return 'delivery.failed';
  return undefined;
}
