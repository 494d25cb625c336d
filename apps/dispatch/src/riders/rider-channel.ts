import { Injectable } from '@nestjs/common';
import type { DeliveryTimingView, RiderDeliveryView } from '../deliveries/delivery.views.js';
import type { RiderState } from './rider-presence.store.js';

/** Events the server sends riders (protocol v1, docs/rider-protocol.md). */
export interface RiderEvents {
  offer: OfferMessage;
  'offer:expired': { offerId: string };
  'offer:taken': { offerId: string };
  'delivery:cancelled': { deliveryId: string };
  /** The agency assigned (or reassigned) a delivery to the rider by hand. */
  'delivery:assigned': RiderDeliveryView;
  /** The agency took an assigned delivery back from the rider (unassigned, or reassigned to another). */
  'delivery:unassigned': { deliveryId: string; reason: string };
  /** The agency marked the rider's delivery failed: drop it. */
  'delivery:failed': { deliveryId: string; reason: string };
  /** On connecting, and to every device when a break starts or ends: whether the rider is offered work. */
  presence: { state: RiderState };
  /** On connecting: the deliveries the rider carries (assigned or picked up). */
  jobs: { deliveries: RiderDeliveryView[] };
  /** The price of a delivery offered or assigned while its fee was pending. */
  'delivery:fee': { deliveryId: string; fee: number; riderPay: number | null; distanceMeters: number };
  /** The restaurant said the food of a delivery the rider was offered or carries is ready now, or delayed. */
  'delivery:timing': DeliveryTimingView & { deliveryId: string; delayMinutes: number | null };
}

export interface PlacePayload {
  lng: number;
  lat: number;
  address: string;
  detail?: string;
}

export interface OfferMessage extends DeliveryTimingView {
  offerId: string;
  deliveryId: string;
  restaurantName: string;
  pickup: PlacePayload;
  dropoff: PlacePayload;
  /** Total fee in KRW; null while `feePending`. */
  fee: number | null;
  /** What the rider earns for the trip in KRW: the fee less the agency's commission; null if fee did not say. */
  riderPay: number | null;
  /** The trip's distance, pickup to dropoff; null while `feePending`. */
  distanceMeters: number | null;
  /** The fee service has not priced it yet: `delivery:fee` follows once it has. */
  feePending: boolean;
  expiresAt: string;
}

/** What the channel needs of a socket: a way to send it an event, and to close it. */
export interface RiderConnection {
  emit(event: string, payload: unknown): void;
  disconnect(): void;
}

/**
 * The way services reach riders without knowing about sockets: a message to a rider goes to every device it has
 * connected. A message to a rider who is offline is dropped: anything still relevant (a pending offer) is sent
 * again when the rider reconnects.
 */
@Injectable()
export class RiderChannel {
  private readonly connections = new Map<string, Set<RiderConnection>>();

  /** A socket of the rider is connected. */
  join(riderId: string, connection: RiderConnection): void {
    let sockets = this.connections.get(riderId);
    if (!sockets) this.connections.set(riderId, (sockets = new Set()));
    sockets.add(connection);
  }

  leave(riderId: string, connection: RiderConnection): void {
    const sockets = this.connections.get(riderId);
    sockets?.delete(connection);
    if (sockets?.size === 0) this.connections.delete(riderId);
  }

  send<E extends keyof RiderEvents>(riderId: string, event: E, payload: RiderEvents[E]): void {
    for (const connection of this.connections.get(riderId) ?? []) connection.emit(event, payload);
  }

  /** Closes every socket of the rider (its token no longer works, so they stay closed). */
  disconnect(riderId: string): number {
    const sockets = [...(this.connections.get(riderId) ?? [])];
    for (const connection of sockets) connection.disconnect();
    return sockets.length;
  }
}
