import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError, type AgencyActor, type RotatedCredential } from '#platform';
import { AgenciesRepository } from '../agencies/agencies.repository.js';
import { RiderChannel } from '../riders/rider-channel.js';
import { rotateAgencyKey, rotateRiderToken } from './credential-rotation.js';

/** The agency key's rotation state, as the agency reads it. */
export interface AgencyKeyState {
  rotations: number;
  /** Until when the key the last rotation replaced works; null: never rotated. */
  previousValidUntil: string | null;
  previousValid: boolean;
}

/** An agency's owners rotate its API key and its riders' tokens (docs/agency-api.md#rotating-keys-and-tokens). */
@Injectable()
export class AgencyCredentials {
  private readonly logger = new Logger('credentials');

  constructor(
    private readonly dataSource: DataSource,
    private readonly agencies: AgenciesRepository,
    private readonly channel: RiderChannel,
  ) {}

  rotateKey(actor: AgencyActor, request: unknown): Promise<RotatedCredential> {
    return rotateAgencyKey(this.dataSource, { agencyId: actor.agencyId, request, actor });
  }

  async keyState(agencyId: string): Promise<AgencyKeyState> {
    const agency = await this.agencies.findById(agencyId);
    if (!agency) throw new DomainError('AGENCY_NOT_FOUND', `no agency ${agencyId}`);
    const until = agency.previousApiKeyUntil;
    return { rotations: agency.keyVersion, previousValidUntil: until?.toISOString() ?? null, previousValid: until !== null && until > new Date() };
  }

  /** A token revoked at once (no overlap) also closes the rider's open sockets: a lost phone is off at once. */
  async rotateRiderToken(actor: AgencyActor, riderId: string, request: unknown): Promise<RotatedCredential> {
    const rotated = await rotateRiderToken(this.dataSource, { riderId, agencyId: actor.agencyId, request, actor: () => actor });
    if (rotated.previousValidUntil === rotated.rotatedAt) {
      const closed = this.channel.disconnect(rotated.id);
      this.logger.log(`rider ${rotated.id}: token revoked, ${closed} socket(s) closed`);
    }
    return rotated;
  }
}
