import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { FieldError } from '#contracts';
import { DomainError } from '#platform';
import { parseInstant } from './instant.js';
import type { Tariff } from './tariff.js';
import { compileTariff, type CompiledTariff } from './tariff.pricing.js';
import { validateTariff } from './tariff.validation.js';
import type { TariffVersionEntity } from './tariff-version.entity.js';
import { TariffCache } from './tariff.cache.js';
import { TariffsRepository } from './tariffs.repository.js';

/** The tariff API's view of one version. */
export interface TariffView {
  agencyId: string;
  version: number;
  effectiveFrom: string;
  createdAt: string;
  tariff: Tariff;
}

/** A tariff version ready to price with. */
export interface TariffInForce {
  version: number;
  tariff: Tariff;
  compiled: CompiledTariff;
}

/** Compiled versions kept; versions never change, so a cached one is never stale. */
const COMPILED_CACHE_SIZE = 2_000;

@Injectable()
export class TariffsService {
  private readonly compiled = new Map<string, TariffInForce>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly tariffs: TariffsRepository,
    private readonly cache: TariffCache,
  ) {}

  /** The version in force now, and any versions already scheduled to follow it. */
  async current(agencyId: string, now = new Date()): Promise<TariffView & { scheduled: TariffView[] }> {
    const inForce = await this.tariffs.inForce(agencyId, now);
    if (!inForce) throw new DomainError('NO_TARIFF', `agency ${agencyId} has no tariff in force`);
    const scheduled = await this.tariffs.scheduledAfter(agencyId, now);
    return { ...view(inForce), scheduled: scheduled.map(view) };
  }

  async history(agencyId: string): Promise<TariffView[]> {
    return (await this.tariffs.history(agencyId)).map(view);
  }

  /**
   * Replaces the agency's tariff from `effectiveFrom` (default now) with a new version. An invalid tariff is
   * rejected naming every problem, and nothing is written: the version in force stays in force. A version may
   * not take effect in the past, which would change the price of quotes already given.
   */
  async replace(agencyId: string, body: unknown, now?: Date): Promise<TariffView> {
    const errors: FieldError[] = [];
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw invalid([{ field: '(body)', value: body, reason: 'must be a JSON object { "tariff": { ... }, "effectiveFrom"?: "..." }' }]);
    }
    const { tariff: input, effectiveFrom: from, ...unknown } = body as Record<string, unknown>;
    for (const field of Object.keys(unknown)) errors.push({ field, value: unknown[field], reason: 'unknown field; send { "tariff": { ... }, "effectiveFrom"?: "..." }' });
    const requested = from === undefined ? undefined : parseInstant(from);
    if (from !== undefined && !requested) errors.push({ field: 'effectiveFrom', value: from, reason: 'must be an ISO 8601 date-time with a time zone' });
    else if (requested && requested.getTime() < (now ?? new Date()).getTime() - CLOCK_SKEW_MS) {
      errors.push({ field: 'effectiveFrom', value: from, reason: 'must not be in the past: quotes already given were priced by the version then in force' });
    }
    if (input === undefined) errors.push({ field: 'tariff', value: input, reason: 'is required' });
    const validated = input === undefined ? undefined : validateTariff(input);
    if (validated && !validated.ok) errors.push(...validated.errors.map((e) => ({ ...e, field: `tariff.${e.field}` })));
    if (errors.length > 0 || !validated?.ok) throw invalid(errors);
    const saved = await this.changeTariff(agencyId, now, (manager, lockedAt) => this.tariffs.insertNext(manager, agencyId, requested ?? lockedAt, validated.value));
    return view(saved);
  }

  /**
   * Switches rain or snow mode on (or off, with `null`) from now: a new version, the tariff in force with only
   * its weather surcharge changed, so every quote still names the exact terms it was priced by.
   */
  async setWeather(agencyId: string, weather: unknown, now?: Date): Promise<TariffView> {
    const saved = await this.changeTariff(agencyId, now, async (manager, lockedAt) => {
      const inForce = await this.tariffs.inForce(agencyId, lockedAt, manager);
      if (!inForce) throw new DomainError('NO_TARIFF', `agency ${agencyId} has no tariff in force`);
      const next = { ...inForce.tariff, surcharges: { ...inForce.tariff.surcharges, weather } };
      const validated = validateTariff(next);
      if (!validated.ok) {
        const prefix = 'surcharges.weather';
        throw invalid(validated.errors.map((e) => ({ ...e, field: e.field.startsWith(prefix) ? e.field.slice(prefix.length).replace(/^\./, '') || '(body)' : e.field })));
      }
      if (weather !== null) {
        const until = parseInstant((weather as { until?: unknown }).until);
        if (until && until.getTime() <= lockedAt.getTime()) throw invalid([{ field: 'until', value: (weather as { until: unknown }).until, reason: 'must be in the future' }]);
      }
      return this.tariffs.insertNext(manager, agencyId, lockedAt, validated.value);
    });
    return view(saved);
  }

  /**
   * Runs a change of the agency's tariff in a transaction holding the agency's lock, with `now` (default: the
   * moment the lock is held). Reading the clock only then keeps changes that take effect "now" in the order they
   * commit; read before, a change that waited for the lock would take effect before the one it waited for and be
   * hidden by it.
   */
  private changeTariff<T>(agencyId: string, now: Date | undefined, change: (manager: EntityManager, lockedAt: Date) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await this.tariffs.lock(manager, agencyId);
      return change(manager, now ?? new Date());
    });
  }

  /**
   * The version in force at `at`, compiled; NO_TARIFF when the agency had none then (or is unknown here). Which
   * version is in force comes from the TariffCache; a version never changes, so its terms are read and compiled once.
   */
  async inForce(agencyId: string, at: Date): Promise<TariffInForce> {
    const version = await this.cache.versionAt(agencyId, at);
    const found = version === undefined ? undefined : await this.version(agencyId, version);
    if (!found) throw noTariff(agencyId, at);
    return found;
  }

  /**
   * Whether `version` (undefined: none) is the one the database has in force at `at`. When it is not, what the
   * cache remembered of the agency was stale and is dropped, so the next `inForce` reads it afresh. For a price
   * about to be refused, and for a quote the database would not store under its version.
   */
  async confirm(agencyId: string, at: Date, version: number | undefined): Promise<boolean> {
    if ((await this.tariffs.versionInForce(agencyId, at)) === version) return true;
    this.cache.forget(agencyId, { stale: true });
    return false;
  }

  /** The agency's version in force turned out not to be the one remembered: forget it. */
  stale(agencyId: string): void {
    this.cache.forget(agencyId, { stale: true });
  }

  /** A given version, compiled (for re-pricing a quote by the terms it was first priced by). */
  async version(agencyId: string, version: number): Promise<TariffInForce | undefined> {
    const key = `${agencyId}:${version}`;
    const cached = this.compiled.get(key);
    if (cached) return cached;
    const found = await this.tariffs.find(agencyId, version);
    if (!found) return undefined;
    const ready: TariffInForce = { version: found.version, tariff: found.tariff, compiled: compileTariff(found.tariff) };
    if (this.compiled.size >= COMPILED_CACHE_SIZE) this.compiled.delete(this.compiled.keys().next().value as string);
    this.compiled.set(key, ready);
    return ready;
  }
}

/** How far in the past an `effectiveFrom` may be and still mean "now": clocks differ by a little. */
const CLOCK_SKEW_MS = 60_000;

/** NO_TARIFF: the agency had no tariff in force at `at` (or fee does not know it). */
export function noTariff(agencyId: string, at: Date): DomainError {
  return new DomainError('NO_TARIFF', `agency ${agencyId} has no tariff in force at ${at.toISOString()}`);
}

function invalid(errors: FieldError[]): DomainError {
  return new DomainError('TARIFF_INVALID', `the tariff was not changed: ${errors.map((e) => `${e.field} ${e.reason}`).join('; ')}`, errors);
}

function view(version: TariffVersionEntity): TariffView {
  return {
    agencyId: version.agencyId,
    version: version.version,
    effectiveFrom: version.effectiveFrom.toISOString(),
    createdAt: version.createdAt.toISOString(),
    tariff: version.tariff,
  };
}
