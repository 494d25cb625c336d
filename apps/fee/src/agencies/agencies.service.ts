import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AgencyKeyRotatedEvent, AgencyRegisteredEvent } from '#contracts';
import { defaultTariff } from '../tariffs/default-tariff.js';
import { holidayTableWarning } from '../tariffs/korean-public-holidays.js';
import { TariffsRepository } from '../tariffs/tariffs.repository.js';
import { AgenciesRepository } from './agencies.repository.js';
import { AgencyKeysCache } from './agency-keys.cache.js';

@Injectable()
export class AgenciesService implements OnApplicationBootstrap {
  private readonly logger = new Logger('agencies');

  constructor(
    private readonly dataSource: DataSource,
    private readonly agencies: AgenciesRepository,
    private readonly tariffs: TariffsRepository,
    private readonly keys: AgencyKeysCache,
  ) {}

  /** An out-of-date holiday table is said at every start and with every agency it shortchanges. */
  onApplicationBootstrap(): void {
    const warning = holidayTableWarning(new Date());
    if (warning) this.logger.warn(warning);
  }

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
    if (!added) return;
    this.logger.log(`agency ${event.agencyId} registered with the default tariff`);
    const warning = holidayTableWarning(registeredAt);
    if (warning) this.logger.warn(`agency ${event.agencyId}: ${warning}`);
  }

  /** Follows a rotation of the agency's key; this instance stops remembering its old key at once. */
  async rotateKey(event: AgencyKeyRotatedEvent): Promise<void> {
    await this.agencies.rotateKey(event);
    this.keys.forgetAgency(event.agencyId);
  }
}
