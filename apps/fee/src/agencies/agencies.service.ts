import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AgencyRegisteredEvent } from '#contracts';
import { defaultTariff } from '../tariffs/default-tariff.js';
import { TariffsRepository } from '../tariffs/tariffs.repository.js';
import { AgenciesRepository } from './agencies.repository.js';

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
}
