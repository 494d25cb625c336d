import type { TimingChange } from '#contracts';
import type { DeliveryEntity } from './delivery.entity.js';
import type { BoardRow } from './delivery-operations.service.js';
import type { DeliveryTransition } from './delivery-transitions.repository.js';

/**
 * When a delivery's food is ready and when it was promised, and what the restaurant last said ("ready now",
 * "delayed"), as every view of a delivery shows them: the board's, the rider's offers and jobs, `delivery:timing`.
 */
export function deliveryTiming(d: Pick<DeliveryEntity, 'readyAt' | 'promisedAt' | 'readyChange'>): DeliveryTimingView {
  return { readyAt: d.readyAt?.toISOString() ?? null, promisedAt: d.promisedAt?.toISOString() ?? null, readyChange: d.readyChange };
}

export interface DeliveryTimingView {
  /** Null on deliveries of orders accepted before ready times were kept: ready when they arrived. */
  readyAt: string | null;
  /** Null when the restaurant did not say. */
  promisedAt: string | null;
  /** `ready`: the restaurant said it is ready now; `delayed`: later than first said; null: nothing since the order. */
  readyChange: TimingChange | null;
}

/**
 * A Korean phone number with its middle hidden, as the board shows it: `010-****-5678`, `02-****-4567`
 * (`+82 10…` read as `010…`). Null stays null.
 */
export function maskedPhone(phone: string | null): string | null {
  if (!phone) return null;
  const digits = phone.replace(/\D/g, '').replace(/^82/, '0');
  if (digits.length < 8) return '****';
  const prefix = digits.startsWith('02') ? '02' : digits.slice(0, 3);
  return `${prefix}-****-${digits.slice(-4)}`;
}

/** How the customer pays and what the rider collects; null when the order did not say. */
export function paymentView(d: Pick<DeliveryEntity, 'paymentMethod' | 'paymentCollectAmount'>) {
  return d.paymentMethod ? { method: d.paymentMethod, collectAmount: d.paymentCollectAmount ?? 0 } : null;
}

/** A delivery as its rider sees it (answers to accept, pickup and delivered). */
export function riderDeliveryView(d: DeliveryEntity) {
  return {
    id: d.id,
    orderId: d.orderId,
    status: d.status,
    restaurantName: d.restaurantName,
    pickup: { lng: d.pickupLng, lat: d.pickupLat, address: d.pickupAddress },
    dropoff: { lng: d.dropoffLng, lat: d.dropoffLat, address: d.dropoffAddress, ...(d.dropoffDetail ? { detail: d.dropoffDetail } : {}) },
    fee: d.fee?.total ?? null,
    riderPay: d.fee?.riderPay ?? null,
    distanceMeters: d.fee?.distanceMeters ?? null,
    ...deliveryTiming(d),
    // The rider calls the customer and collects at the door; nobody else sees the phone in full.
    customerPhone: d.customerPhone,
    payment: paymentView(d),
    assignedAt: d.assignedAt?.toISOString() ?? null,
    pickedUpAt: d.pickedUpAt?.toISOString() ?? null,
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
  };
}

export type RiderDeliveryView = ReturnType<typeof riderDeliveryView>;

/** Whole seconds from `from` to `now`, never negative (the database's and the process's clocks may differ slightly). */
const secondsSince = (from: Date, now: Date) => Math.max(0, Math.floor((now.getTime() - from.getTime()) / 1000));

/** A delivery on the agency's board: everything, the fee with its provenance, or why it is not priced yet. */
export function agencyDeliveryView(row: BoardRow, now: Date = new Date()) {
  const { delivery: d, riderName } = row;
  return {
    id: d.id,
    orderId: d.orderId,
    /** The restaurant's own id for the order; null on deliveries from before it was kept. */
    externalOrderId: d.externalOrderId,
    restaurantId: d.restaurantId,
    restaurantName: d.restaurantName,
    status: d.status,
    pickup: { lng: d.pickupLng, lat: d.pickupLat, address: d.pickupAddress },
    dropoff: { lng: d.dropoffLng, lat: d.dropoffLat, address: d.dropoffAddress, detail: d.dropoffDetail },
    fee: d.fee,
    /** Why fee would not price it yet (the delivery waits and is tried again); null once priced. */
    pricingProblem: d.pricingProblem,
    /** Offered before fee priced it; the fee shows here once it has. */
    feePending: d.fee === null && d.feePendingSince !== null,
    /** Nobody took it within DISPATCH_MANUAL_AFTER_SECONDS: dispatch it by hand (automatic offers go on). */
    needsManualDispatch:
      d.manualDispatchSince && (d.status === 'pending' || d.status === 'offered') ? { since: d.manualDispatchSince.toISOString() } : null,
    rider: d.riderId ? { id: d.riderId, name: riderName ?? null } : null,
    /** Offers waiting for an answer; `seen` once the rider's app acknowledged it (an unseen one is passed on early). */
    offers: row.openOffers.map((offer) => ({
      offerId: offer.offerId,
      riderId: offer.riderId,
      expiresAt: offer.expiresAt.toISOString(),
      seen: offer.seenAt !== null,
      seenAt: offer.seenAt?.toISOString() ?? null,
    })),
    /** Who made the current assignment: `rider` (accepted an offer) or `agency` (by hand); null without a rider. */
    assignedBy: row.assignedBy,
    /** Held by the agency: automatic dispatch leaves it alone until released or assigned by hand. */
    dispatchHold: d.dispatchHold,
    /** The planner's latest decision: offered to whom and why, or held and why (null until planned). */
    dispatchDecision: d.dispatchDecision,
    failureReason: d.failureReason,
    ...deliveryTiming(d),
    /** The customer's phone with its middle digits hidden (010-****-5678): enough to tell orders apart by it. */
    customerPhone: maskedPhone(d.customerPhone),
    payment: paymentView(d),
    /** `operator`: the agency entered the order by hand. */
    enteredBy: d.enteredBy,
    /** Seconds since the order arrived, and since the delivery's last change of status. */
    waitingSeconds: secondsSince(d.createdAt, now),
    inStatusSeconds: secondsSince(row.lastChangeAt, now),
    createdAt: d.createdAt.toISOString(),
    quotedAt: d.quotedAt?.toISOString() ?? null,
    assignedAt: d.assignedAt?.toISOString() ?? null,
    pickedUpAt: d.pickedUpAt?.toISOString() ?? null,
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    cancelledAt: d.cancelledAt?.toISOString() ?? null,
    failedAt: d.failedAt?.toISOString() ?? null,
  };
}

/** One step of a delivery's life as the agency reads it. */
export function transitionView(t: DeliveryTransition) {
  return {
    from: t.from,
    to: t.to,
    actor: { type: t.actorType, id: t.actorId },
    riderId: t.riderId,
    reason: t.reason,
    at: t.at.toISOString(),
    /** When the rider said it happened, for a report its app sent after its network returned; `at` is when it arrived. */
    reportedAt: t.reportedAt?.toISOString() ?? null,
  };
}
