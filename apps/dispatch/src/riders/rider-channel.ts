import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import type { DeliveryTimingView, RiderDeliveryView } from '../deliveries/delivery.views.js';
import type { RiderState } from './rider-presence.store.js';
import { RiderReplayBuffer } from './rider-replay.js';

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

/** What the channel needs of a socket: a way to send it an event, with the event's number in the rider's stream, and to close it. */
export interface RiderConnection {
  emit(event: string, payload: unknown, meta?: EventMeta): void;
  disconnect(): void;
}

/** The second argument of every event to a rider: its number in the rider's stream (see RiderReplayBuffer). */
export interface EventMeta {
  seq: number;
}

const PRUNE_EVERY_MS = 10_000;

/**
 * The way services reach riders without knowing about sockets: a message to a rider goes to every device it has
 * connected, numbered in the rider's stream and kept a while (RiderReplayBuffer), so a device that was away, or
 * whose connection had died without anyone knowing, is sent what it missed when it reconnects.
 */
@Injectable()
export class RiderChannel implements OnModuleDestroy {
  private readonly connections = new Map<string, Set<RiderConnection>>();
  /** Connections whose app does not acknowledge offers (`offer:seen`): their riders' offers are never withdrawn unseen. */
  private readonly unacknowledging = new Set<RiderConnection>();
  /** Whether each rider's latest connection said its app acknowledges offers; kept while it is away. */
  private readonly latestAcknowledges = new Map<string, boolean>();
  readonly replay: RiderReplayBuffer;
  private readonly pruning: NodeJS.Timeout;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.replay = new RiderReplayBuffer(config.dispatch.riderReplaySeconds * 1000, config.dispatch.riderReplayMaxEvents);
    this.pruning = setInterval(() => this.replay.prune(), PRUNE_EVERY_MS);
    this.pruning.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.pruning);
  }

  /** A socket of the rider is connected; `acknowledgesOffers` when its app sends `offer:seen`. */
  join(riderId: string, connection: RiderConnection, acknowledgesOffers = false): void {
    let sockets = this.connections.get(riderId);
    if (!sockets) this.connections.set(riderId, (sockets = new Set()));
    sockets.add(connection);
    if (!acknowledgesOffers) this.unacknowledging.add(connection);
    this.latestAcknowledges.set(riderId, acknowledgesOffers);
  }

  leave(riderId: string, connection: RiderConnection): void {
    const sockets = this.connections.get(riderId);
    sockets?.delete(connection);
    if (sockets?.size === 0) this.connections.delete(riderId);
    this.unacknowledging.delete(connection);
  }

  send<E extends keyof RiderEvents>(riderId: string, event: E, payload: RiderEvents[E]): void {
    const seq = this.replay.append(riderId, event, payload);
    for (const connection of this.connections.get(riderId) ?? []) connection.emit(event, payload, { seq });
  }

  /**
   * Riders whose silence about an offer means it did not arrive: the latest app they connected with (since dispatch
   * started) acknowledges offers, and no device of theirs connected now is one that does not.
   */
  ridersAcknowledgingOffers(): string[] {
    const riders: string[] = [];
    for (const [riderId, acknowledges] of this.latestAcknowledges) {
      if (acknowledges && ![...(this.connections.get(riderId) ?? [])].some((socket) => this.unacknowledging.has(socket))) riders.push(riderId);
    }
    return riders;
  }

  /** Closes every socket of the rider (its token no longer works, so they stay closed). */
  disconnect(riderId: string): number {
    const sockets = [...(this.connections.get(riderId) ?? [])];
    for (const connection of sockets) connection.disconnect();
    return sockets.length;
  }
}
