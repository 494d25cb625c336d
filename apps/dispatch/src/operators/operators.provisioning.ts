import { isEmail, isUUID } from 'class-validator';
import type { DataSource } from 'typeorm';
import type { FieldError } from '#contracts';
import { DomainError, newSecret, OPERATOR_ROLES, type OperatorRole } from '#platform';
import { AgenciesRepository } from '../agencies/agencies.repository.js';
import { AuditLogRepository } from '../audit/audit-log.repository.js';
import { OperatorsRepository } from './operators.repository.js';

/**
 * Invites a person to an agency from the admin CLI (how an agency gets its first owner): the one-time invite
 * token is returned here and never again; the invite and its audit entry ("admin CLI") commit together.
 */
export async function provisionOperatorInvite(
  dataSource: DataSource,
  input: { agencyId: string; email: string; role: string },
  options: { inviteMs: number },
): Promise<{ inviteToken: string; email: string; role: OperatorRole; expiresAt: string }> {
  const email = typeof input.email === 'string' ? input.email.trim().toLowerCase() : '';
  const problems: FieldError[] = [];
  if (!isEmail(email)) problems.push({ field: 'email', value: input.email, reason: 'must be an email address' });
  if (!OPERATOR_ROLES.includes(input.role as OperatorRole)) problems.push({ field: 'role', value: input.role, reason: `must be one of ${OPERATOR_ROLES.join(', ')}` });
  if (problems.length > 0) throw DomainError.validation(problems);
  const agency = isUUID(input.agencyId) ? await new AgenciesRepository(dataSource).findById(input.agencyId.toLowerCase()) : null;
  if (!agency) throw new DomainError('AGENCY_NOT_FOUND', `no agency ${input.agencyId}`);

  const role = input.role as OperatorRole;
  const token = newSecret('oi_');
  const expiresAt = new Date(Date.now() + options.inviteMs);
  await dataSource.transaction(async (manager) => {
    await new OperatorsRepository(dataSource).insertInvite(manager, { tokenHash: token.hash, agencyId: agency.id, email, role, expiresAt });
    await new AuditLogRepository(dataSource).record(manager, { agencyId: agency.id, role: 'owner', operatorId: null, label: 'admin CLI' }, 'operator.invited', email, { role });
  });
  return { inviteToken: token.secret, email, role, expiresAt: expiresAt.toISOString() };
}
