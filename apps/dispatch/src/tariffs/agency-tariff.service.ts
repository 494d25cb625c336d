import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PATTERNS, type FeeTariffAction, type FeeTariffChanged, type FeeTariffRequest, type FeeTariffVersion } from '#contracts';
import { Messaging } from '#messaging';
import { AgencyAudit } from '../audit/agency-audit.js';
import { askUpstream } from '../upstream/ask-upstream.js';
import { tariffChanges } from './tariff-changes.js';

/** How long an agency's request waits for fee, which keeps tariffs. */
const FEE_TIMEOUT_MS = 10_000;

/**
 * The agency's tariff, which fee keeps: reads and changes are passed on over the message transport, so operators
 * reach them with their session, and each change fee made is recorded in the audit log as `tariff.changed`.
 */
@Injectable()
export class AgencyTariff {
  constructor(
    private readonly messaging: Messaging,
    private readonly dataSource: DataSource,
    private readonly audit: AgencyAudit,
  ) {}

  current(agencyId: string): Promise<FeeTariffVersion & { scheduled: FeeTariffVersion[] }> {
    return this.ask(agencyId, 'current');
  }

  versions(agencyId: string): Promise<FeeTariffVersion[]> {
    return this.ask(agencyId, 'versions');
  }

  /** `replace` the tariff, or switch the weather surcharge on or off: one new version, audited once. */
  async change(agencyId: string, action: Exclude<FeeTariffAction, 'current' | 'versions'>, body?: unknown): Promise<FeeTariffVersion> {
    const { tariff, previous } = await this.ask<FeeTariffChanged>(agencyId, action, body);
    const details = { change: action, version: tariff.version, effectiveFrom: tariff.effectiveFrom, ...tariffChanges(previous?.tariff ?? null, tariff.tariff) };
    await this.dataSource.transaction((manager) => this.audit.record(manager, 'tariff.changed', `tariff v${tariff.version}`, details));
    return tariff;
  }

  private ask<T>(agencyId: string, action: FeeTariffAction, body?: unknown): Promise<T> {
    const request: FeeTariffRequest = { agencyId, action, ...(body === undefined ? {} : { body: JSON.stringify(body) }) };
    return askUpstream<T>(this.messaging, PATTERNS.FEE_TARIFF, request, { timeoutMs: FEE_TIMEOUT_MS, service: 'fee' });
  }
}
