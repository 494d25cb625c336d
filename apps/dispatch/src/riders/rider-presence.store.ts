import { Injectable } from '@nestjs/common';
import type { LngLat } from '#contracts';

export interface RiderPosition extends LngLat {
  at: Date;
}

interface Presence {
  agencyId: string;
  sockets: Set<string>;
  /** Reported since the rider came online; unknown again once it goes offline. */
  position?: RiderPosition;
  /** The last position ever reported, for the agency's board. */
  lastPosition?: RiderPosition;
}

/**
 * Who is online and where, in memory: positions arrive every few seconds per rider and are worthless after a
 * restart (riders reconnect and report again), so they never touch the database. A rider is online while at
 * least one of its sockets is connected, and is a candidate for offers once it has reported where it is.
 * One process owns all riders; sharing zones between instances would move this to Redis GEO.
 */
@Injectable()
export class RiderPresenceStore {
  private readonly riders = new Map<string, Presence>();

  connected(rider: { id: string; agencyId: string }, socketId: string): void {
    const presence = this.riders.get(rider.id) ?? { agencyId: rider.agencyId, sockets: new Set<string>() };
    presence.sockets.add(socketId);
    this.riders.set(rider.id, presence);
  }

  /** Returns whether the rider is still online through another socket. */
  disconnected(riderId: string, socketId: string): boolean {
    const presence = this.riders.get(riderId);
    if (!presence) return false;
    presence.sockets.delete(socketId);
    if (presence.sockets.size > 0) return true;
    presence.position = undefined;
    return false;
  }

  /** Records where an online rider is; returns true when it is its first position since coming online. */
  moved(riderId: string, point: LngLat, at = new Date()): boolean {
    const presence = this.riders.get(riderId);
    if (!presence || presence.sockets.size === 0) return false;
    const first = presence.position === undefined;
    presence.position = { lng: point.lng, lat: point.lat, at };
    presence.lastPosition = presence.position;
    return first;
  }

  isOnline(riderId: string): boolean {
    return (this.riders.get(riderId)?.sockets.size ?? 0) > 0;
  }

  lastPosition(riderId: string): RiderPosition | undefined {
    return this.riders.get(riderId)?.lastPosition;
  }

  /** Agencies with at least one rider who could be offered a delivery now. */
  agenciesWithLocatedRiders(): string[] {
    const agencies = new Set<string>();
    for (const presence of this.riders.values()) {
      if (presence.sockets.size > 0 && presence.position) agencies.add(presence.agencyId);
    }
    return [...agencies];
  }

  /** The agency's online riders whose position is known: the only ones that can be offered a delivery. */
  locatedOnline(agencyId: string): Array<{ riderId: string; position: RiderPosition }> {
    const located: Array<{ riderId: string; position: RiderPosition }> = [];
    for (const [riderId, presence] of this.riders) {
      if (presence.agencyId === agencyId && presence.sockets.size > 0 && presence.position) {
        located.push({ riderId, position: presence.position });
      }
    }
    return located;
  }
}
