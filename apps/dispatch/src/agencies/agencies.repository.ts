import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { KeyHolder } from '#platform';
import { AgencyEntity, type OfferPolicy } from './agency.entity.js';

/** An agency's own dispatch settings; null where it follows the service's default. */
export interface StoredDispatchSettings {
  offerPolicy: OfferPolicy | null;
  broadcastSize: number | null;
  offerTimeoutSeconds: number | null;
}

@Injectable()
export class AgenciesRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get agencies() {
    return this.dataSource.getRepository(AgencyEntity);
  }

  async insert(agency: Pick<AgencyEntity, 'id' | 'name' | 'apiKeyHash'>, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.getRepository(AgencyEntity).insert(agency);
  }

  /** Every agency by name (the admin CLI's list). */
  list(): Promise<AgencyEntity[]> {
    return this.agencies.find({ order: { name: 'ASC', id: 'ASC' } });
  }

  findById(id: string): Promise<AgencyEntity | null> {
    return this.agencies.findOneBy({ id });
  }

  async dispatchSettings(id: string): Promise<StoredDispatchSettings | undefined> {
    return (await this.dispatchSettingsOf([id])).get(id);
  }

  async dispatchSettingsOf(ids: string[]): Promise<Map<string, StoredDispatchSettings>> {
    if (ids.length === 0) return new Map();
    const rows: Array<StoredDispatchSettings & { id: string }> = await this.dataSource.query(
      `SELECT id, offer_policy AS "offerPolicy", broadcast_size AS "broadcastSize", offer_timeout_seconds AS "offerTimeoutSeconds"
         FROM dispatch.agencies WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map(({ id, ...settings }) => [id, settings]));
  }

  /** Returns false when there is no such agency. */
  async replaceDispatchSettings(id: string, settings: StoredDispatchSettings, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    const [, count] = (await manager.query(
      `UPDATE dispatch.agencies SET offer_policy = $2, broadcast_size = $3, offer_timeout_seconds = $4 WHERE id = $1`,
      [id, settings.offerPolicy, settings.broadcastSize, settings.offerTimeoutSeconds],
    )) as [unknown, number];
    return count === 1;
  }

  /** The agency whose key, or the key its last rotation replaced (with when that one stops working), has this hash. */
  async findByApiKeyHash(apiKeyHash: string): Promise<KeyHolder | null> {
    const agency = await this.agencies.findOne({ where: [{ apiKeyHash }, { previousApiKeyHash: apiKeyHash }] });
    return agency && { id: agency.id, replacedUntil: agency.apiKeyHash === apiKeyHash ? null : agency.previousApiKeyUntil };
  }

  /**
   * Replaces the agency's key hash, keeping the one replaced until `until` (dropping what an earlier rotation kept),
   * inside the caller's transaction; the hash replaced and the new key version, or null for no such agency.
   */
  async rotateKey(manager: EntityManager, id: string, apiKeyHash: string, until: Date): Promise<{ previousApiKeyHash: string; keyVersion: number } | null> {
    const [rows] = (await manager.query(
      `UPDATE dispatch.agencies a SET previous_api_key_hash = a.api_key_hash, previous_api_key_until = $3, api_key_hash = $2, key_version = a.key_version + 1
        FROM (SELECT id, api_key_hash FROM dispatch.agencies WHERE id = $1 FOR UPDATE) before
        WHERE a.id = before.id RETURNING before.api_key_hash AS "previousApiKeyHash", a.key_version AS "keyVersion"`,
      [id, apiKeyHash, until],
    )) as [Array<{ previousApiKeyHash: string; keyVersion: number }>, number];
    return rows[0] ?? null;
  }
}
