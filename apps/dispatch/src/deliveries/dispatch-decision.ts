import type { HoldReason, PlannerDecisions } from '#planner';

/**
 * The planner's latest decision on a delivery, as the board shows it: offered to these riders and why them (the
 * planner's summary and the runner-up), or held with the reason and the plan, if any.
 */
export interface DispatchDecision {
  outcome: 'offered' | 'held';
  /** Why it is held; null when offered. */
  reason: HoldReason | null;
  summary: string;
  /** Offered: the riders it went to; held: the rider it is planned for, if any. */
  riderIds: string[];
  /** Offered: the next best rider and how many seconds more it would have cost. */
  runnerUp: { riderId: string; extraSeconds: number } | null;
  /** Held with a plan: when it is expected to be offered (ISO 8601). */
  offerAt: string | null;
  /** The deliveries it rides with (offered) or is planned to ride with (held). */
  bundleWith: string[];
  decidedAt: string;
}

const iso = (seconds: number) => new Date(Math.round(seconds * 1000)).toISOString();

/** Each delivery's decision in a round's output, by delivery id. */
export function decisionsOf(decisions: PlannerDecisions): Map<string, DispatchDecision> {
  const decidedAt = iso(decisions.now);
  const byDelivery = new Map<string, DispatchDecision>();
  for (const offer of decisions.offers) {
    const { why } = offer;
    for (const id of offer.deliveryIds) {
      byDelivery.set(id, {
        outcome: 'offered',
        reason: null,
        summary: why.summary,
        riderIds: offer.riderIds,
        runnerUp: why.runnerUp ? { riderId: why.runnerUp.riderId, extraSeconds: Math.round(why.runnerUp.total - why.terms.total) } : null,
        offerAt: null,
        bundleWith: offer.deliveryIds.filter((other) => other !== id),
        decidedAt,
      });
    }
  }
  for (const held of decisions.held) {
    byDelivery.set(held.deliveryId, {
      outcome: 'held',
      reason: held.reason,
      summary: held.summary,
      riderIds: held.plannedRiderId ? [held.plannedRiderId] : [],
      runnerUp: null,
      offerAt: held.offerAt === null ? null : iso(held.offerAt),
      bundleWith: held.bundleWith,
      decidedAt,
    });
  }
  return byDelivery;
}

/** The decision as OpenAPI describes it (docs/agency-api.md). */
export const DISPATCH_DECISION_SCHEMA = {
  type: 'object',
  nullable: true,
  description: "The planner's latest decision on the delivery (docs/planner.md); null until a planning round looked at it",
  required: ['outcome', 'reason', 'summary', 'riderIds', 'runnerUp', 'offerAt', 'bundleWith', 'decidedAt'],
  properties: {
    outcome: { type: 'string', enum: ['offered', 'held'] },
    reason: { type: 'string', nullable: true, enum: ['NOT_YET_DUE', 'RIDER_BUSY', 'RIDERS_TAKEN', 'NO_RIDER'], description: 'Why it is held; null when offered' },
    summary: { type: 'string', description: 'Why, in one line: the rider chosen and the runner-up, or why it waits' },
    riderIds: { type: 'array', items: { type: 'string', format: 'uuid' }, description: 'Offered: its riders; held: the rider it is planned for, if any' },
    runnerUp: {
      type: 'object',
      nullable: true,
      properties: { riderId: { type: 'string', format: 'uuid' }, extraSeconds: { type: 'integer', description: 'How much more it would have cost' } },
    },
    offerAt: { type: 'string', format: 'date-time', nullable: true, description: 'Held with a plan: when it is expected to be offered' },
    bundleWith: { type: 'array', items: { type: 'string', format: 'uuid' }, description: 'The deliveries it rides (or is planned to ride) with' },
    decidedAt: { type: 'string', format: 'date-time' },
  },
};
