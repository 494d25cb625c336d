import { Injectable, Logger } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DataSource } from 'typeorm';
import type { AgencyRegisteredEvent } from '#contracts';
import { bearerToken, DomainError, hashSecret } from '#platform';
import { defaultTariff } from '../tariffs/default-tariff.js';
import { TariffsRepository } from '../tariffs/tariffs.repository.js';
import { AgenciesRepository } from './agencies.repository.js';
import type { AgencyEntity } from './agency.entity.js';

@Injectable()
export class AgenciesService {
  private readonly logger = new Logger('agencies');

  constructor(
    private readonly dataSource: DataSource,
    private readonly agencies: AgenciesRepository,
    private readonly tariffs: TariffsRepository,
  ) {}

  /**
   * Learns of a new agency and gives it the default tariff (Korean public holidays filled in), in force from
   * its registration, so its first orders are priced. A redelivered event changes nothing.
   */
  async register(event: AgencyRegisteredEvent): Promise<void> {
    const registeredAt = new Date(event.occurredAt);
    const added = await this.dataSource.transaction(async (manager) => {
      const isNew = await this.agencies.insertIfNew(manager, { id: event.agencyId, name: event.name, apiKeyHash: event.apiKeyHash, registeredAt });
      if (isNew) await this.tariffs.insertNext(manager, event.agencyId, registeredAt, defaultTariff());
      return isNew;
    });
    if (added) this.logger.log(`agency ${event.agencyId} registered with the default tariff`);
  }

  /**
   * The agency an `Authorization: Bearer <API key>` header opens, if it is the agency asked for. No key or an
   * unknown one is UNAUTHENTICATED; a valid key for another agency is AGENCY_NOT_FOUND, so a key never reveals
   * which other agencies exist.
   */
  async authorize(agencyId: string, authorization: string | undefined): Promise<AgencyEntity> {
    const token = bearerToken(authorization);
    if (!token) throw new DomainError('UNAUTHENTICATED', 'send the agency API key as "Authorization: Bearer <key>"');
    const agency = await this.agencies.findByApiKeyHash(hashSecret(token));
    if (!agency) throw new DomainError('UNAUTHENTICATED', 'unknown API key');
    if (!isUUID(agencyId) || agency.id !== agencyId.toLowerCase()) {
      throw new DomainError('AGENCY_NOT_FOUND', `no agency ${agencyId} for this API key`);
    }
    return agency;
  }
}
