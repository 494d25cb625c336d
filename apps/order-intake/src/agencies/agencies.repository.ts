import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { agencyByKeyHash, applyAgencyKeyRotation, type AgencyKeyRotation } from '#database';
import type { AgencyKeys, KeyHolder } from '#platform';

/** The agencies intake knows, by the hash of their API key: the only thing it needs of them. */
@Injectable()
export class AgenciesRepository implements AgencyKeys {
  constructor(private readonly dataSource: DataSource) {}

  /** Keeps an agency unless it is known already (an announcement delivered twice is one agency). */
  async register(agency: { id: string; apiKeyHash: string; registeredAt: Date }): Promise<void> {
    await this.dataSource.query(
      'INSERT INTO intake.agencies (id, api_key_hash, registered_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING',
      [agency.id, agency.apiKeyHash, agency.registeredAt],
    );
  }

  /** Follows a rotation of the agency's key (see applyAgencyKeyRotation). */
  rotateKey(rotation: AgencyKeyRotation): Promise<void> {
    return applyAgencyKeyRotation(this.dataSource, 'intake', rotation);
  }

  /** The agency whose key (or the key its last rotation replaced) has this hash. */
  findByApiKeyHash(apiKeyHash: string): Promise<KeyHolder | null> {
    return agencyByKeyHash(this.dataSource, 'intake', apiKeyHash);
  }
}
