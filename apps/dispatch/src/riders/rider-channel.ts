import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import type { DeliveryTimingView, RiderDeliveryView } from '../deliveries/delivery.views.js';
import type { RiderState } from './rider-presence.store.js';
import { RiderReplayBuffer, type Resumption, type SentEvent } from './rider-replay.js';

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
  /** Sent just before dispatch closes the socket for good: why its token no longer opens one. */
  'session:ended': SessionEnded;
}

/** Why dispatch closed a rider's socket: the rider was disabled, or the token it connected with stopped working. */
export interface SessionEnded {
  code: 'RIDER_DISABLED' | 'UNAUTHENTICATED';
  message: string;
  /** When the token a rotation replaced stopped working. */
  replacedUntil?: string;
}

/** The ending of a disabled rider's sockets, whoever disabled it (the dashboard, the API, the admin CLI). */
export const RIDER_DISABLED_ENDING: SessionEnded = { code: 'RIDER_DISABLED', message: 'the agency disabled this rider' };

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

/** Where an app says it left its rider's stream: `null` on its first connection. */
export type ResumeFrom = { epoch: string; seq: number } | null;

/** What a socket was sent on joining: its stream's run (`epoch`), and what it missed or why it must rebuild. */
export interface Opened {
  epoch: string;
  /** Undefined when the app asked for no resumption (protocol v1). */
  resumption?: Resumption;
  replayed: SentEvent[];
}

/**
 * Where riders' streams live when dispatch runs as several instances (cluster/redis-rider-relay.ts): numbered and
 * kept in the shared engine, and carried to whichever instance holds the rider's sockets.
 */
export interface RiderRelay {
  /** Numbers and keeps the event and sends it to the rider's other instances; resolves with its number (0: not numbered, the engine is away). */
  send(riderId: string, event: string, payload: unknown): Promise<number>;
  /** The rider has a socket here now: events sent anywhere from now on reach this instance. */
  joined(riderId: string): Promise<void>;
  /** The rider's last socket here is gone. */
  left(riderId: string): void;
  /** The stream's run and latest number, and what an app that last saw `from` missed. */
  resume(riderId: string, from: ResumeFrom): Promise<{ epoch: string; seq: number; resumption: Resumption }>;
  /** Closes the rider's sockets on the other instances, telling them why when `ended` says. */
  disconnect(riderId: string, ended?: SessionEnded): void;
}

interface Held {
  event: string;
  payload: unknown;
  seq: number;
}

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
  private relay?: RiderRelay;
  /** With a relay: sockets still being sent what they missed, and the events that came for them meanwhile. */
  private readonly opening = new Map<RiderConnection, Held[]>();
  /** With a relay: the latest number sent to each rider with a socket here. */
  private readonly latest = new Map<string, number>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.replay = new RiderReplayBuffer(config.dispatch.riderReplaySeconds * 1000, config.dispatch.riderReplayMaxEvents);
    this.pruning = setInterval(() => this.replay.prune(), PRUNE_EVERY_MS);
    this.pruning.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.pruning);
  }

  /** From now on events are numbered, kept and carried between instances by `relay` (set once, at start). */
  useRelay(relay: RiderRelay): void {
    this.relay = relay;
  }

  /** The riders with a socket on this instance. */
  localRiders(): string[] {
    return [...this.connections.keys()];
  }

  /**
   * A socket of the rider joins: it is sent what its app missed since `resume` (when the app asked), before any event
   * sent meanwhile. Without a relay this happens at once, before the promise is returned.
   */
  async open(riderId: string, connection: RiderConnection, options: { acknowledgesOffers?: boolean; resume?: ResumeFrom } = {}): Promise<Opened> {
    const { resume } = options;
    if (!this.relay) {
      this.join(riderId, connection, options.acknowledgesOffers);
      const resumption = resume === undefined ? undefined : resume ? this.replay.resume(riderId, resume.epoch, resume.seq) : ({ rebuild: 'unknown_stream' } as const);
      const replayed = resumption && 'replay' in resumption ? resumption.replay : [];
      for (const sent of replayed) connection.emit(sent.event, sent.payload, { seq: sent.seq });
      return { epoch: this.replay.epoch, resumption, replayed };
    }
    this.opening.set(connection, []);
    this.join(riderId, connection, options.acknowledgesOffers);
    let stream: Awaited<ReturnType<RiderRelay['resume']>>;
    try {
      await this.relay.joined(riderId);
      stream = await this.relay.resume(riderId, resume ?? null);
    } catch {
      // The engine is away: this instance's own events still reach the socket; the app rebuilds from the snapshot.
      stream = { epoch: '', seq: 0, resumption: { rebuild: 'unknown_stream' } };
    }
    const resumption = resume === undefined ? undefined : stream.resumption;
    const replayed = resumption && 'replay' in resumption ? resumption.replay : [];
    for (const sent of replayed) connection.emit(sent.event, sent.payload, { seq: sent.seq });
    let seq = Math.max(stream.seq, replayed.at(-1)?.seq ?? 0);
    for (const held of this.opening.get(connection) ?? []) {
      if (held.seq !== 0 && held.seq <= seq) continue;
      connection.emit(held.event, held.payload, { seq: held.seq });
      seq = Math.max(seq, held.seq);
    }
    this.opening.delete(connection);
    if (this.connections.get(riderId)?.has(connection)) this.latest.set(riderId, Math.max(seq, this.latest.get(riderId) ?? 0));
    return { epoch: stream.epoch, resumption, replayed };
  }

  /** The number of the latest event sent to the rider (to its sockets here, with a relay): the snapshot's `seq`. */
  lastSeq(riderId: string): number {
    return this.relay ? (this.latest.get(riderId) ?? 0) : this.replay.lastSeq(riderId);
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
    this.unacknowledging.delete(connection);
    this.opening.delete(connection);
    if (sockets?.size !== 0) return;
    this.connections.delete(riderId);
    this.latest.delete(riderId);
    this.relay?.left(riderId);
  }

  send<E extends keyof RiderEvents>(riderId: string, event: E, payload: RiderEvents[E]): void {
    if (this.relay) {
      void this.relay.send(riderId, event, payload).then((seq) => this.deliver(riderId, event, payload, seq));
      return;
    }
    const seq = this.replay.append(riderId, event, payload);
    for (const connection of this.connections.get(riderId) ?? []) connection.emit(event, payload, { seq });
  }

  /** With a relay: an event numbered `seq` in the rider's stream, for its sockets here (sent here or by another instance). */
  deliver(riderId: string, event: string, payload: unknown, seq: number): void {
    const sockets = this.connections.get(riderId);
    if (!sockets) return;
    for (const connection of sockets) {
      const held = this.opening.get(connection);
      if (held) held.push({ event, payload, seq });
      else connection.emit(event, payload, { seq });
    }
    if (seq > (this.latest.get(riderId) ?? 0)) this.latest.set(riderId, seq);
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

  /**
   * Closes every socket of the rider (its token no longer works, so they stay closed), each told why first
   * (`session:ended`) when `ended` says; returns how many were here.
   */
  disconnect(riderId: string, ended?: SessionEnded): number {
    this.relay?.disconnect(riderId, ended);
    return this.disconnectHere(riderId, ended);
  }

  /** Closes the rider's sockets on this instance only. */
  disconnectHere(riderId: string, ended?: SessionEnded): number {
    const sockets = [...(this.connections.get(riderId) ?? [])];
    for (const connection of sockets) {
      if (ended) connection.emit('session:ended', ended);
      connection.disconnect();
    }
    return sockets.length;
  }
}
