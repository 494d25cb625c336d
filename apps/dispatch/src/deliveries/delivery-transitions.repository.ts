import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import type { DeliveryStatus } from './delivery-status.js';

export const TRANSITION_ACTOR_TYPES = ['system', 'rider', 'agency', 'restaurant'] as const;
/** Who made a delivery move: the dispatcher itself, a rider, the agency's operator, or the restaurant's order. */
export type TransitionActorType = (typeof TRANSITION_ACTOR_TYPES)[number];

/** One step of a delivery's life (a row of `dispatch.delivery_transitions`). */
export interface DeliveryTransition {
  id: string;
  deliveryId: string;
  /** Null on the step that records the delivery's creation. */
  from: DeliveryStatus | null;
  to: DeliveryStatus;
  actorType: TransitionActorType;
  /** The rider, agency or restaurant that acted; null for the system. */
  actorId: string | null;
  /** The rider the delivery names after the step (null when none). */
  riderId: string | null;
  reason: string | null;
  /** When the step was received and written. */
  at: Date;
  /** When the actor said it happened, for a report sent late (see TransitionActor.reportedAt); null otherwise. */
  reportedAt: Date | null;
}

export type NewTransition = Omit<DeliveryTransition, 'id' | 'at' | 'reportedAt'>;

interface TransitionRow {
  id: string;
  delivery_id: string;
  from_status: DeliveryStatus | null;
  to_status: DeliveryStatus;
  actor_type: TransitionActorType;
  actor_id: string | null;
  rider_id: string | null;
  reason: string | null;
  at: Date;
  reported_at: Date | null;
}

const toTransition = (row: TransitionRow): DeliveryTransition => ({
  id: row.id,
  deliveryId: row.delivery_id,
  from: row.from_status,
  to: row.to_status,
  actorType: row.actor_type,
  actorId: row.actor_id,
  riderId: row.rider_id,
  reason: row.reason,
  at: row.at,
  reportedAt: row.reported_at,
});

/** The log of delivery steps. Plain SQL: the log is only appended to and read back, never loaded as entities. */
@Injectable()
export class DeliveryTransitionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Logs a step at the database's transaction time, the clock the delivery's status times come from. */
  async insert(manager: EntityManager, t: NewTransition): Promise<void> {
    await manager.query(
      `INSERT INTO dispatch.delivery_transitions (id, delivery_id, from_status, to_status, actor_type, actor_id, rider_id, reason, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())`,
      [randomUUID(), t.deliveryId, t.from, t.to, t.actorType, t.actorId, t.riderId, t.reason],
    );
  }

  /**
   * An INSERT of one step per row of `source` (a CTE of `dispatch.deliveries` rows just written, which give the
   * delivery and its rider), for a caller that writes the delivery and its log in one statement. `from` and
   * `actorId` are values, or `{ column }` of `source` where each row has its own. Values are appended to `params`.
   */
  insertSql(
    source: string,
    params: unknown[],
    step: {
      from: DeliveryStatus | null | { column: string };
      to: DeliveryStatus;
      actorType: TransitionActorType;
      actorId: string | null | { column: string };
      reason: string | null;
      reportedAt?: { column: string };
    },
  ): string {
    const value = (v: unknown, type: string) => {
      if (v !== null && typeof v === 'object' && 'column' in v) return (v as { column: string }).column;
      params.push(v);
      return `$${params.length}::${type}`;
    };
    const from = value(step.from, 'text');
    const [to, actorType] = [value(step.to, 'text'), value(step.actorType, 'text')];
    const actorId = value(step.actorId, 'uuid');
    const reason = value(step.reason, 'text');
    const reportedAt = step.reportedAt ? step.reportedAt.column : 'NULL::timestamptz';
    return `INSERT INTO dispatch.delivery_transitions (id, delivery_id, from_status, to_status, actor_type, actor_id, rider_id, reason, at, reported_at)
            SELECT gen_random_uuid(), id, ${from}, ${to}, ${actorType}, ${actorId}, rider_id, ${reason}, now(), ${reportedAt} FROM ${source}`;
  }

  /** A delivery's steps in the order they were made. */
  async listFor(deliveryId: string): Promise<DeliveryTransition[]> {
    const rows: TransitionRow[] = await this.dataSource.query(
      `SELECT * FROM dispatch.delivery_transitions WHERE delivery_id = $1 ORDER BY seq`,
      [deliveryId],
    );
    return rows.map(toTransition);
  }

  /** For each delivery, when it last changed status (its creation counts) and who made its last assignment. */
  async lastSteps(deliveryIds: string[]): Promise<Map<string, { lastAt: Date; assignedBy: TransitionActorType | null }>> {
    if (deliveryIds.length === 0) return new Map();
    const rows: Array<{ delivery_id: string; last_at: Date; assigned_by: TransitionActorType | null }> = await this.dataSource.query(
      // A step that keeps the status (a restaurant's "delayed") is logged but is no change of status.
      `SELECT delivery_id, max(at) FILTER (WHERE from_status IS DISTINCT FROM to_status) AS last_at,
              (array_agg(actor_type ORDER BY seq DESC) FILTER (WHERE to_status = 'assigned'))[1] AS assigned_by
         FROM dispatch.delivery_transitions WHERE delivery_id = ANY($1::uuid[]) GROUP BY delivery_id`,
      [deliveryIds],
    );
    return new Map(rows.map((row) => [row.delivery_id, { lastAt: row.last_at, assignedBy: row.assigned_by }]));
  }
}
