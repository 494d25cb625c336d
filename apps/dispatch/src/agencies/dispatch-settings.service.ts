import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { DomainError } from '#platform';
import type { OfferPolicy } from './agency.entity.js';
import { AgenciesRepository, type StoredDispatchSettings } from './agencies.repository.js';
import type { DispatchSettingsBody } from './dto/dispatch-settings.body.js';

/** How an agency's deliveries are offered, every value resolved (the agency's own, else the default). */
export interface DispatchSettings {
  offerPolicy: OfferPolicy;
  broadcastSize: number;
  offerTimeoutSeconds: number;
}

/** An agency's offer policy, broadcast size and offer timeout; unset ones follow the service's configuration. */
@Injectable()
export class DispatchSettingsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly agencies: AgenciesRepository,
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
    if (!(await this.agencies.replaceDispatchSettings(agencyId, stored))) throw new DomainError('AGENCY_NOT_FOUND', `no agency ${agencyId}`);
    return this.view(stored);
  }

  /** The settings in force for each of these agencies (unknown ones get the defaults). */
  async effective(agencyIds: string[]): Promise<Map<string, DispatchSettings>> {
    const stored = await this.agencies.dispatchSettingsOf(agencyIds);
    return new Map(agencyIds.map((id) => [id, this.resolve(stored.get(id))]));
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
