/** Rider protocol v1 (docs/rider-protocol.md), as the client sees it. */
import type { ReadyChange } from '../../shared/format';

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
  readyAt: string | null;
  promisedAt: string | null;
  readyChange: ReadyChange;
  /** The customer's number in full, for the rider carrying the delivery; absent from servers before it was sent. */
  customerPhone?: string | null;
  /** What to collect at the door; null: the order did not say. */
  payment?: { method: 'prepaid' | 'cash' | 'card'; collectAmount: number } | null;
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
  /** When the food is ready (null: not known), when it was promised, and what the restaurant said since. */
  readyAt: string | null;
  promisedAt: string | null;
  readyChange: ReadyChange;
  expiresAt: string;
}

/** `delivery:timing`: the restaurant said the food is ready now, or delayed. */
export interface TimingUpdate {
  deliveryId: string;
  readyAt: string | null;
  promisedAt: string | null;
  readyChange: ReadyChange;
  delayMinutes: number | null;
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
