import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { DomainError } from '#platform';
import { newSecret } from '../credentials.js';
import { AgenciesRepository } from './agencies.repository.js';

/**
 * Creates an agency and its API key. The key is returned here and never again: only its hash is stored.
 * Used by the admin CLI and demo seeding on a data source built from DISPATCH_DATABASE.
 */
export async function provisionAgency(dataSource: DataSource, input: { name: string }): Promise<{ agencyId: string; apiKey: string }> {
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (name.length < 1 || name.length > 200) {
    throw DomainError.validation([{ field: 'name', value: input.name, reason: 'must be 1 to 200 characters' }]);
  }
  const agencyId = randomUUID();
  const apiKey = newSecret('ak_');
  await new AgenciesRepository(dataSource).insert({ id: agencyId, name, apiKeyHash: apiKey.hash });
  return { agencyId, apiKey: apiKey.secret };
}
