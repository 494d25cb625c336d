import { Injectable } from '@nestjs/common';
import { hashSecret, replacedCredentialMessage } from '#platform';
import { riderDeliveryView, type RiderDeliveryView } from '../deliveries/delivery.views.js';
import type { RiderEntity } from './rider.entity.js';
import { RIDER_DISABLED_ENDING, RiderChannel, type SessionEnded } from './rider-channel.js';
import { RiderPresenceStore, type RiderState } from './rider-presence.store.js';
import { RidersRepository, type DepartureRow } from './riders.repository.js';

/** What a rider's socket carries once its token has been checked. */
export interface RiderSession {
  id: string;
  agencyId: string;
  name: string;
  /** The hash of the token the socket connected with, to check again later (see endedSessions). */
  tokenHash: string;
}

/** How a job left the rider while its app was away (`gone` of the `resume` event, docs/rider-protocol.md). */
export interface Departure {
  deliveryId: string;
  restaurantName: string;
  outcome: 'cancelled' | 'reassigned' | 'unassigned' | 'delivered' | 'failed';
  /** Who took the step: the agency, the rider (on another device), the restaurant, the system. */
  by: DepartureRow['actorType'];
  reason: string | null;
  at: string;
}

/** One rider's session with one token: the key of `endedSessions`. */
export const sessionKey = (session: Pick<RiderSession, 'id' | 'tokenHash'>) => `${session.id}:${session.tokenHash}`;

function outcomeOf(row: DepartureRow): Departure['outcome'] {
  if (row.step === 'cancelled') return 'cancelled';
  if (!row.afterRider) return row.step === 'failed' ? 'failed' : 'delivered';
  return row.toAnotherRider ? 'reassigned' : 'unassigned';
}

@Injectable()
export class RidersService {
  constructor(
    private readonly riders: RidersRepository,
    private readonly presence: RiderPresenceStore,
    private readonly channel: RiderChannel,
  ) {}

  /**
   * The rider a socket token belongs to; undefined for a missing or unknown token or a disabled rider; `replacedUntil`
   * for the token a rotation replaced once its window has ended (only its holder learns so, see replacedKeyRefusal).
   */
  async authenticate(token: unknown): Promise<RiderSession | { replacedUntil: Date } | undefined> {
    if (typeof token !== 'string' || !token.startsWith('rt_') || token.length > 200) return undefined;
    const hash = hashSecret(token);
    const rider = await this.riders.findByTokenHash(hash);
    if (!rider || rider.disabledAt) return undefined;
    if (rider.tokenHash !== hash && rider.previousTokenUntil! <= new Date()) return { replacedUntil: rider.previousTokenUntil! };
    return { id: rider.id, agencyId: rider.agencyId, name: rider.name, tokenHash: hash };
  }

  /**
   * Of these sessions, those whose rider was disabled or whose token stopped working since they connected, each
   * with why, keyed by `sessionKey`.
   */
  async endedSessions(sessions: Array<Pick<RiderSession, 'id' | 'tokenHash'>>): Promise<Map<string, SessionEnded>> {
    const unique = new Map(sessions.map((s) => [sessionKey(s), { riderId: s.id, tokenHash: s.tokenHash }]));
    if (unique.size === 0) return new Map();
    const ended = await this.riders.endedSessions([...unique.values()]);
    return new Map(
      ended.map((row): [string, SessionEnded] => {
        const key = sessionKey({ id: row.riderId, tokenHash: row.tokenHash });
        if (row.disabled) return [key, RIDER_DISABLED_ENDING];
        if (row.replacedUntil) {
          return [key, { code: 'UNAUTHENTICATED', message: replacedCredentialMessage('rider token', row.replacedUntil), replacedUntil: row.replacedUntil.toISOString() }];
        }
        return [key, { code: 'UNAUTHENTICATED', message: 'this rider token no longer works' }];
      }),
    );
  }

  /** What the rider carries now, as its app shows it: sent on every (re)connect so nothing is lost. */
  async jobsOf(riderId: string): Promise<RiderDeliveryView[]> {
    return (await this.riders.activeDeliveries(riderId)).map(riderDeliveryView);
  }

  /**
   * Why each of these deliveries, which the rider's app shows as its jobs, is no longer the rider's (see
   * RidersRepository.departures); those that still are, or never were, are left out.
   */
  async departures(riderId: string, deliveryIds: string[]): Promise<Departure[]> {
    return (await this.riders.departures(riderId, deliveryIds)).map((row) => ({
      deliveryId: row.deliveryId,
      restaurantName: row.restaurantName,
      outcome: outcomeOf(row),
      by: row.actorType,
      reason: row.reason,
      at: new Date(row.at).toISOString(),
    }));
  }

  /** The rider stays connected but gets no offers; each of its devices is told. */
  startBreak(riderId: string): RiderState {
    const state = this.presence.startBreak(riderId);
    this.channel.send(riderId, 'presence', { state });
    return state;
  }

  /** Back to work; `available` when the rider may be offered something at once. */
  endBreak(riderId: string): { state: RiderState; available: boolean } {
    const ended = this.presence.endBreak(riderId);
    this.channel.send(riderId, 'presence', { state: ended.state });
    return ended;
  }

  async namesByAgency(agencyId: string): Promise<Map<string, string>> {
    const riders = await this.riders.findByAgency(agencyId);
    return new Map(riders.map((rider) => [rider.id, rider.name]));
  }

  /** The agency's riders as its board shows them: their state, where last seen and how long ago, and how loaded. */
  async listForAgency(agencyId: string) {
    const riders = await this.riders.findByAgency(agencyId);
    const loads = await this.riders.loads(riders.map((rider) => rider.id));
    const now = this.presence.now();
    return riders.map((rider: RiderEntity) => {
      const position = this.presence.lastPosition(rider.id);
      const load = loads.get(rider.id);
      return {
        id: rider.id,
        name: rider.name,
        capacity: rider.capacity,
        disabled: rider.disabledAt !== null,
        state: this.presence.state(rider.id),
        /** Connected at all, on break and silent included. */
        online: this.presence.isOnline(rider.id),
        position: position
          ? {
              lng: position.lng,
              lat: position.lat,
              at: position.at.toISOString(),
              ageSeconds: Math.max(0, Math.floor((now - position.at.getTime()) / 1000)),
            }
          : null,
        load: { active: load?.active ?? 0, offered: load?.offered ?? 0, capacity: rider.capacity },
        lastSeenAt: this.presence.lastSeenAt(rider.id)?.toISOString() ?? null,
      };
    });
  }
}
