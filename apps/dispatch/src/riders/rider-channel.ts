import { Injectable, Logger } from '@nestjs/common';
import type { Namespace } from 'socket.io';

/** Events the server sends riders (protocol v1, docs/rider-protocol.md). */
export interface RiderEvents {
  offer: OfferMessage;
  'offer:expired': { offerId: string };
  'offer:taken': { offerId: string };
  'delivery:cancelled': { deliveryId: string };
}

export interface PlacePayload {
  lng: number;
  lat: number;
  address: string;
  detail?: string;
}

export interface OfferMessage {
  offerId: string;
  deliveryId: string;
  restaurantName: string;
  pickup: PlacePayload;
  dropoff: PlacePayload;
  /** Total fee in KRW. */
  fee: number;
  /** What the rider earns for the trip in KRW: the fee less the agency's commission; null if fee did not say. */
  riderPay: number | null;
  /** The trip's distance, pickup to dropoff. */
  distanceMeters: number;
  expiresAt: string;
}

/** Each rider's sockets share a room, so a message reaches every device the rider has connected. */
export const riderRoom = (riderId: string) => `rider:${riderId}`;

/**
 * The way services reach riders without knowing about sockets. A message to a rider who is offline is
 * dropped: anything still relevant (a pending offer) is sent again when the rider reconnects.
 */
@Injectable()
export class RiderChannel {
  private readonly logger = new Logger('riders');
  private namespace?: Namespace;

  attach(namespace: Namespace): void {
    this.namespace = namespace;
  }

  send<E extends keyof RiderEvents>(riderId: string, event: E, payload: RiderEvents[E]): void {
    if (!this.namespace) {
      this.logger.warn(`rider socket server not ready; ${event} for rider ${riderId} not sent`);
      return;
    }
    this.namespace.to(riderRoom(riderId)).emit(event, payload);
  }
}
