import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '#config';
import { DomainError } from '#platform';
import { AgencyAudit } from '../audit/agency-audit.js';
import type { OfferPolicy } from './agency.entity.js';
import { AgenciesRepository, type StoredDispatchSettings } from './agencies.repository.js';
import type { DispatchSettingsBody } from './dto/dispatch-settings.body.js';

/** How an agency's deliveries are offered, every value resolved (the agency's own, else the default). */
export interface DispatchSettings {
  offerPolicy: OfferPolicy;
  broadcastSize: number;
  offerTimeoutSeconds: number;
}

/** How long the settings in force are kept in memory: a change made through another instance shows within this. */
const EFFECTIVE_FOR_MS = 1000;

/** An agency's offer policy, broadcast size and offer timeout; unset ones follow the service's configuration. */
@Injectable()
export class DispatchSettingsService {
  /** The settings in force per agency, as read at `at`: every delivery offered needs them, and they seldom change. */
  private readonly inForce = new Map<string, { settings: DispatchSettings; at: number }>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly agencies: AgenciesRepository,
    private readonly dataSource: DataSource,
    private readonly audit: AgencyAudit,
  ) {}

  /** What the agency chose (null where it did not) and what applies. */
  async get(agencyId: string) {
    const stored = await this.agencies.dispatchSettings(agencyId);
    if (!stored) throw new DomainError('AGENCY_NOT_FOUND', `no agency ${agencyId}`);
    return this.view(stored);
  }

  async replace(agencyId: string, body: DispatchSettingsBody) {
    const stored: StoredDispatchSettings = {
      offerPolicy: body.offerPolicy ?? null,
      broadcastSize: body.broadcastSize ?? null,
      offerTimeoutSeconds: body.offerTimeoutSeconds ?? null,
    };
    await this.dataSource.transaction(async (manager) => {
      if (!(await this.agencies.replaceDispatchSettings(agencyId, stored, manager))) throw new DomainError('AGENCY_NOT_FOUND', `no agency ${agencyId}`);
      await this.audit.record(manager, 'settings.changed', agencyId, { ...stored });
    });
    this.inForce.delete(agencyId);
    return this.view(stored);
  }

  /**
   * The settings in force for each of these agencies (unknown ones get the defaults). Read at most every
   * EFFECTIVE_FOR_MS per agency; a change made here applies at once, one made through another instance within that.
   */
  async effective(agencyIds: string[]): Promise<Map<string, DispatchSettings>> {
    const now = Date.now();
    const stale = agencyIds.filter((id) => !(now - (this.inForce.get(id)?.at ?? -Infinity) < EFFECTIVE_FOR_MS));
    if (stale.length > 0) {
      const stored = await this.agencies.dispatchSettingsOf(stale);
      for (const id of stale) this.inForce.set(id, { settings: this.resolve(stored.get(id)), at: now });
    }
    return new Map(agencyIds.map((id) => [id, this.inForce.get(id)!.settings]));
  }

  private resolve(stored: StoredDispatchSettings | undefined): DispatchSettings {
    const defaults = this.config.dispatch;
    return {
      offerPolicy: stored?.offerPolicy ?? defaults.offerPolicy,
      broadcastSize: stored?.broadcastSize ?? defaults.broadcastSize,
      offerTimeoutSeconds: stored?.offerTimeoutSeconds ?? defaults.offerTimeoutSeconds,
    };
  }

  private view(stored: StoredDispatchSettings) {
    return { ...stored, effective: this.resolve(stored) };
  }
}
