import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { bearerToken, DomainError, hashSecret } from '#platform';
import { AgenciesRepository } from './agencies.repository.js';
import type { AgencyEntity } from './agency.entity.js';

@Injectable()
export class AgenciesService {
  constructor(private readonly agencies: AgenciesRepository) {}

  /**
   * The agency an `Authorization: Bearer <API key>` header opens, if it is the agency asked for. No key or an
   * unknown one is UNAUTHENTICATED; a valid key for another agency is AGENCY_NOT_FOUND, so a key never
   * reveals which other agencies exist.
   */
  async authorize(agencyId: string, authorization: string | undefined): Promise<AgencyEntity> {
    const key = bearerToken(authorization);
    if (!key) throw new DomainError('UNAUTHENTICATED', 'send the agency API key as "Authorization: Bearer <key>"');
    const agency = await this.agencies.findByApiKeyHash(hashSecret(key));
    if (!agency) throw new DomainError('UNAUTHENTICATED', 'unknown API key');
    if (!isUUID(agencyId) || agency.id !== agencyId.toLowerCase()) {
      throw new DomainError('AGENCY_NOT_FOUND', `no agency ${agencyId} for this API key`);
    }
    return agency;
  }
}
