/** Rider protocol v1 (docs/rider-protocol.md), as the client sees it. */

export interface Place {
  lng: number;
  lat: number;
  address: string;
  detail?: string;
}

export type DeliveryStatus = 'assigned' | 'picked_up' | 'delivered' | 'failed' | 'cancelled';

export interface Delivery {
  id: string;
  orderId: string;
  status: DeliveryStatus;
  restaurantName: string;
  pickup: Place;
  dropoff: Place;
  fee: number | null;
  riderPay: number | null;
  distanceMeters: number | null;
  assignedAt: string | null;
  pickedUpAt: string | null;
  deliveredAt: string | null;
}

export interface Offer {
  offerId: string;
  deliveryId: string;
  restaurantName: string;
  pickup: Place;
  dropoff: Place;
  fee: number | null;
  riderPay: number | null;
  distanceMeters: number | null;
  feePending: boolean;
  expiresAt: string;
}

export type Presence = 'online' | 'on_break';

export interface FeeUpdate {
  deliveryId: string;
  fee: number;
  riderPay: number | null;
  distanceMeters: number;
}

export type Ack<T = object> = ({ ok: true } & T) | { ok: false; code: string; message: string; details?: unknown };

export interface Position {
  lng: number;
  lat: number;
}
