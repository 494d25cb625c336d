import { Injectable } from '@nestjs/common';
import type { AgencyKeys, KeyHolder } from '#platform';
import { AgenciesRepository } from './agencies.repository.js';

/** How long a key's agency is remembered: how long another fee instance may lag behind a rotation that revokes it. */
const KEEP_MS = 60_000;
const MAX_KEYS = 10_000;

/**
 * Agencies by the hash of their API key, remembered for a minute: every HTTP quote checks its key, which would
 * otherwise cost a read of the database per quote. Unknown keys are not remembered, so a new agency's key works
 * as soon as fee has its `agency.registered`; a replaced key is remembered no longer than its window (after it,
 * each request reads again and is told the key was replaced), and the instance that hears of a rotation forgets the
 * agency's keys at once.
 */
@Injectable()
export class AgencyKeysCache implements AgencyKeys {
  private readonly known = new Map<string, { holder: KeyHolder; until: number }>();

  constructor(private readonly agencies: AgenciesRepository) {}

  async findByApiKeyHash(apiKeyHash: string): Promise<KeyHolder | null> {
    const now = Date.now();
    const hit = this.known.get(apiKeyHash);
    if (hit && hit.until > now) return hit.holder;
    const found = await this.agencies.findByApiKeyHash(apiKeyHash);
    if (!found) {
      this.known.delete(apiKeyHash);
      return null;
    }
    if (this.known.size >= MAX_KEYS) this.known.delete(this.known.keys().next().value as string);
    this.known.set(apiKeyHash, { holder: found, until: Math.min(now + KEEP_MS, found.replacedUntil?.getTime() ?? Infinity) });
    return found;
  }

  /** Forgets every key of the agency (after a rotation). */
  forgetAgency(agencyId: string): void {
    for (const [hash, entry] of this.known) if (entry.holder.id === agencyId) this.known.delete(hash);
  }
}
