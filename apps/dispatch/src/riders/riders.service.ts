import { Injectable } from '@nestjs/common';
import { hashSecret } from '#platform';
import type { RiderEntity } from './rider.entity.js';
import { RiderPresenceStore } from './rider-presence.store.js';
import { RidersRepository } from './riders.repository.js';

/** What a rider's socket carries once its token has been checked. */
export interface RiderSession {
  id: string;
  agencyId: string;
  name: string;
}

@Injectable()
export class RidersService {
  constructor(
    private readonly riders: RidersRepository,
    private readonly presence: RiderPresenceStore,
  ) {}

  /** The rider a socket token belongs to, or undefined for a missing or unknown token. */
  async authenticate(token: unknown): Promise<RiderSession | undefined> {
    if (typeof token !== 'string' || !token.startsWith('rt_') || token.length > 200) return undefined;
    const rider = await this.riders.findByTokenHash(hashSecret(token));
    return rider ? { id: rider.id, agencyId: rider.agencyId, name: rider.name } : undefined;
  }

  async namesByAgency(agencyId: string): Promise<Map<string, string>> {
    const riders = await this.riders.findByAgency(agencyId);
    return new Map(riders.map((rider) => [rider.id, rider.name]));
  }

  /** The agency's riders as its board shows them: online or not, where last seen, and how loaded. */
  async listForAgency(agencyId: string) {
    const riders = await this.riders.findByAgency(agencyId);
    const loads = await this.riders.loads(riders.map((rider) => rider.id));
    return riders.map((rider: RiderEntity) => {
      const position = this.presence.lastPosition(rider.id);
      const load = loads.get(rider.id);
      return {
        id: rider.id,
        name: rider.name,
        capacity: rider.capacity,
        online: this.presence.isOnline(rider.id),
        position: position ? { lng: position.lng, lat: position.lat, at: position.at.toISOString() } : null,
        load: { active: load?.active ?? 0, offered: load?.offered ?? 0 },
      };
    });
  }
}
