import { isUUID } from 'class-validator';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { DomainError, newSecret } from '#platform';
import type { FieldError } from '#contracts';
import { AgenciesRepository } from '../agencies/agencies.repository.js';
import { RidersRepository } from './riders.repository.js';

/**
 * Creates a rider of an agency and the token its client connects with. The token is returned here and never
 * again: only its hash is stored. Unknown agency: AGENCY_NOT_FOUND.
 */
export async function provisionRider(
  dataSource: DataSource,
  input: { agencyId: string; name: string; capacity?: number },
): Promise<{ riderId: string; token: string }> {
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  const capacity = input.capacity ?? 3;
  const problems: FieldError[] = [];
  if (name.length < 1 || name.length > 100) problems.push({ field: 'name', value: input.name, reason: 'must be 1 to 100 characters' });
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > 50) {
    problems.push({ field: 'capacity', value: input.capacity, reason: 'must be an integer from 1 to 50' });
  }
  if (problems.length > 0) throw DomainError.validation(problems);

  const agency = isUUID(input.agencyId) ? await new AgenciesRepository(dataSource).findById(input.agencyId) : null;
  if (!agency) throw new DomainError('AGENCY_NOT_FOUND', `no agency ${input.agencyId}`);

  const riderId = randomUUID();
  const token = newSecret('rt_');
  await new RidersRepository(dataSource).insert({ id: riderId, agencyId: agency.id, name, tokenHash: token.hash, capacity });
  return { riderId, token: token.secret };
}
