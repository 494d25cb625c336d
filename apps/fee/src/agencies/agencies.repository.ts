import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { agencyByKeyHash, applyAgencyKeyRotation, type AgencyKeyRotation } from '#database';
import type { KeyHolder } from '#platform';
import { AgencyEntity } from './agency.entity.js';

@Injectable()
export class AgenciesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Inserts the agency unless it is known; true when this call added it. */
  async insertIfNew(manager: EntityManager, agency: AgencyEntity): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO fee.agencies (id, name, api_key_hash, registered_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [agency.id, agency.name, agency.apiKeyHash, agency.registeredAt],
    );
    return rows.length === 1;
  }

  /** The agency whose key (or the key its last rotation replaced, `replacedUntil` its window's end) has this hash. */
  findByApiKeyHash(apiKeyHash: string): Promise<KeyHolder | null> {
    return agencyByKeyHash(this.dataSource, 'fee', apiKeyHash);
  }

  /** Follows a rotation of the agency's key (see applyAgencyKeyRotation). */
  rotateKey(rotation: AgencyKeyRotation): Promise<void> {
    return applyAgencyKeyRotation(this.dataSource, 'fee', rotation);
  }
}
