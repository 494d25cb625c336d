import { Injectable } from '@nestjs/common';
import type { AgencyKeys } from '#platform';
import { AgenciesRepository } from './agencies.repository.js';

/** How long a key's agency is remembered; fee never changes a key, so this only bounds how long a change could lag. */
const KEEP_MS = 60_000;
const MAX_KEYS = 10_000;

/**
 * Agencies by the hash of their API key, remembered for a minute: every HTTP quote checks its key, which would
 * otherwise cost a read of the database per quote. Unknown keys are not remembered, so a new agency's key works
 * as soon as fee has its `agency.registered`.
 */
@Injectable()
export class AgencyKeysCache implements AgencyKeys {
  private readonly known = new Map<string, { id: string; until: number }>();

  constructor(private readonly agencies: AgenciesRepository) {}

  async findByApiKeyHash(apiKeyHash: string): Promise<{ id: string } | null> {
    const now = Date.now();
    const hit = this.known.get(apiKeyHash);
    if (hit && hit.until > now) return { id: hit.id };
    const found = await this.agencies.findByApiKeyHash(apiKeyHash);
    if (!found) {
      this.known.delete(apiKeyHash);
      return null;
    }
    if (this.known.size >= MAX_KEYS) this.known.delete(this.known.keys().next().value as string);
    this.known.set(apiKeyHash, { id: found.id, until: now + KEEP_MS });
    return { id: found.id };
  }
}
