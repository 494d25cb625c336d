import { isUUID } from 'class-validator';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { DomainError, newSecret } from '#platform';
import type { FieldError } from '#contracts';
import { AgenciesRepository } from '../agencies/agencies.repository.js';
import { AuditLogRepository } from '../audit/audit-log.repository.js';
import { RidersRepository } from './riders.repository.js';

/**
 * Creates a rider of an agency and the token its client connects with. The token is returned here and never
 * again: only its hash is stored. Unknown agency: AGENCY_NOT_FOUND.
 */
export async function provisionRider(
  dataSource: DataSource,
  input: { agencyId: string; name: string; capacity?: number },
): Promise<{ riderId: string; token: string }> {
  const checked = checkRiderInput(input);
  if (!checked.ok) throw DomainError.validation(checked.problems);
  const [created] = await provisionRiders(dataSource, input.agencyId, [checked.rider]);
  return created!;
}

/** A rider's name (trimmed, 1 to 100 characters) and capacity (1 to 50, 3 when not given), or every problem with them. */
export function checkRiderInput(input: { name: unknown; capacity?: unknown }): { ok: true; rider: { name: string; capacity: number } } | { ok: false; problems: FieldError[] } {
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  const capacity = input.capacity ?? 3;
  const problems: FieldError[] = [];
  if (name.length < 1 || name.length > 100) problems.push({ field: 'name', value: input.name, reason: 'must be 1 to 100 characters' });
  if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 1 || capacity > 50) {
    problems.push({ field: 'capacity', value: input.capacity, reason: 'must be an integer from 1 to 50' });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, rider: { name, capacity: capacity as number } };
}

/**
 * Creates checked riders of an agency in one transaction, each with its token (returned only here). With `audit`,
 * each is recorded in the agency's audit log as created by that actor, in the same transaction. Unknown agency:
 * AGENCY_NOT_FOUND, and nothing is written.
 */
export async function provisionRiders(
  dataSource: DataSource,
  agencyId: string,
  riders: Array<{ name: string; capacity: number }>,
  audit?: { label: string },
): Promise<Array<{ riderId: string; name: string; capacity: number; token: string }>> {
  const agency = isUUID(agencyId) ? await new AgenciesRepository(dataSource).findById(agencyId) : null;
  if (!agency) throw new DomainError('AGENCY_NOT_FOUND', `no agency ${agencyId}`);
  const repository = new RidersRepository(dataSource);
  return dataSource.transaction(async (manager) => {
    const created = [];
    for (const { name, capacity } of riders) {
      const riderId = randomUUID();
      const token = newSecret('rt_');
      await repository.insert({ id: riderId, agencyId: agency.id, name, tokenHash: token.hash, capacity }, manager);
      if (audit) await new AuditLogRepository(dataSource).record(manager, { agencyId: agency.id, role: 'owner', operatorId: null, label: audit.label }, 'rider.created', riderId, { name, capacity });
      created.push({ riderId, name, capacity, token: token.secret });
    }
    return created;
  });
}
