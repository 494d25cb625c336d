import type { DeliveryEntity } from './delivery.entity.js';

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
    assignedAt: d.assignedAt?.toISOString() ?? null,
    pickedUpAt: d.pickedUpAt?.toISOString() ?? null,
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
  };
}

export type RiderDeliveryView = ReturnType<typeof riderDeliveryView>;

/** A delivery on the agency's board: everything, the fee with its provenance, or why it is not priced yet. */
export function agencyDeliveryView(d: DeliveryEntity, riderName?: string) {
  return {
    id: d.id,
    orderId: d.orderId,
    restaurantId: d.restaurantId,
    restaurantName: d.restaurantName,
    status: d.status,
    pickup: { lng: d.pickupLng, lat: d.pickupLat, address: d.pickupAddress },
    dropoff: { lng: d.dropoffLng, lat: d.dropoffLat, address: d.dropoffAddress, detail: d.dropoffDetail },
    fee: d.fee,
    /** Why fee would not price it yet (the delivery waits and is tried again); null once priced. */
    pricingProblem: d.pricingProblem,
    rider: d.riderId ? { id: d.riderId, name: riderName ?? null } : null,
    createdAt: d.createdAt.toISOString(),
    quotedAt: d.quotedAt?.toISOString() ?? null,
    assignedAt: d.assignedAt?.toISOString() ?? null,
    pickedUpAt: d.pickedUpAt?.toISOString() ?? null,
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    cancelledAt: d.cancelledAt?.toISOString() ?? null,
  };
}
