import { isUUID } from 'class-validator';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { PATTERNS, validateContract, type AgencyKeyRotatedEvent } from '#contracts';
import { addToOutbox } from '#database';
import { DomainError, newSecret, overlapEnd, RotateCredentialRequest, type AgencyActor, type RotatedCredential } from '#platform';
import { AgenciesRepository } from '../agencies/agencies.repository.js';
import { AuditLogRepository } from '../audit/audit-log.repository.js';
import { RidersRepository } from '../riders/riders.repository.js';

/** The actor of rotations made on the machine with the admin CLI, as the audit log names it. */
export const adminCliActor = (agencyId: string): AgencyActor => ({ agencyId, role: 'owner', operatorId: null, label: 'admin CLI' });

function overlapHours(request: unknown): number | undefined {
  const validated = validateContract(RotateCredentialRequest, request ?? {});
  if (!validated.ok) throw DomainError.validation(validated.errors);
  return validated.value.overlapHours;
}

/**
 * Replaces an agency's API key; the one replaced keeps working for the requested overlap (24 h by default, 0: at
 * once), and a key an earlier rotation kept is dropped at once. The new hash, its audit entry ("key.rotated") and
 * its announcements to fee and order-intake (which keep copies of agency keys) commit together; only the hash is
 * stored, so the key is in this answer and nowhere else. `actor` says who rotates (for the CLI: adminCliActor).
 */
export async function rotateAgencyKey(dataSource: DataSource, input: { agencyId: string; request: unknown; actor: AgencyActor }): Promise<RotatedCredential> {
  const hours = overlapHours(input.request);
  if (!isUUID(input.agencyId)) throw new DomainError('AGENCY_NOT_FOUND', `no agency ${input.agencyId}`);
  const agencyId = input.agencyId.toLowerCase();
  const key = newSecret('ak_');
  const rotatedAt = new Date();
  const until = overlapEnd(rotatedAt, hours);
  await dataSource.transaction(async (manager) => {
    const rotated = await new AgenciesRepository(dataSource).rotateKey(manager, agencyId, key.hash, until);
    if (!rotated) throw new DomainError('AGENCY_NOT_FOUND', `no agency ${input.agencyId}`);
    await new AuditLogRepository(dataSource).record(manager, input.actor, 'key.rotated', agencyId, { credential: 'agency-key', previousValidUntil: until.toISOString() });
    const event = (): AgencyKeyRotatedEvent => ({
      eventId: randomUUID(),
      occurredAt: rotatedAt.toISOString(),
      agencyId,
      apiKeyHash: key.hash,
      previousApiKeyHash: rotated.previousApiKeyHash,
      previousValidUntil: until.toISOString(),
      keyVersion: rotated.keyVersion,
    });
    for (const pattern of [PATTERNS.AGENCY_KEY_ROTATED, PATTERNS.AGENCY_KEY_ROTATED_FOR_INTAKE]) {
      const payload = event();
      await addToOutbox(manager, 'dispatch', { eventId: payload.eventId, pattern, payload });
    }
  });
  return { credential: 'agency-key', id: agencyId, secret: key.secret, rotatedAt: rotatedAt.toISOString(), previousValidUntil: until.toISOString() };
}

/**
 * Replaces a rider's socket token, as `rotateAgencyKey` does a key; the change and its audit entry commit together.
 * `agencyId`, when an agency asks, must be the rider's (else RIDER_NOT_FOUND); the CLI names none.
 */
export async function rotateRiderToken(
  dataSource: DataSource,
  input: { riderId: string; agencyId?: string; request: unknown; actor: (riderAgencyId: string) => AgencyActor },
): Promise<RotatedCredential> {
  const hours = overlapHours(input.request);
  const token = newSecret('rt_');
  const rotatedAt = new Date();
  const until = overlapEnd(rotatedAt, hours);
  const riders = new RidersRepository(dataSource);
  const riderId = await dataSource.transaction(async (manager) => {
    const rider = isUUID(input.riderId) ? await riders.lock(manager, input.riderId.toLowerCase()) : null;
    if (!rider || (input.agencyId !== undefined && rider.agencyId !== input.agencyId)) throw new DomainError('RIDER_NOT_FOUND', `no rider ${input.riderId} in this agency`);
    await riders.rotateToken(manager, rider.id, token.hash, until);
    await new AuditLogRepository(dataSource).record(manager, input.actor(rider.agencyId), 'key.rotated', rider.id, { credential: 'rider-token', name: rider.name, previousValidUntil: until.toISOString() });
    return rider.id;
  });
  return { credential: 'rider-token', id: riderId, secret: token.secret, rotatedAt: rotatedAt.toISOString(), previousValidUntil: until.toISOString() };
}
