import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { PATTERNS, type AgencyRegisteredEvent } from '#contracts';
import { addToOutbox } from '#database';
import { DomainError, newSecret } from '#platform';
import { AgenciesRepository } from './agencies.repository.js';

/**
 * Creates an agency and its API key. The key is returned here and never again: only its hash is stored.
 * The agency and its `agency.registered` events commit together, so the fee service and order-intake learn of
 * every agency dispatch has (and of none it has not) once the running service's outbox relay publishes them.
 * Used by the admin CLI and demo seeding on a data source built from DISPATCH_DATABASE.
 */
export async function provisionAgency(dataSource: DataSource, input: { name: string }): Promise<{ agencyId: string; apiKey: string }> {
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (name.length < 1 || name.length > 200) {
    throw DomainError.validation([{ field: 'name', value: input.name, reason: 'must be 1 to 200 characters' }]);
  }
  const agencyId = randomUUID();
  const apiKey = newSecret('ak_');
  const event: AgencyRegisteredEvent = { eventId: randomUUID(), occurredAt: new Date().toISOString(), agencyId, name, apiKeyHash: apiKey.hash };
  await dataSource.transaction(async (manager) => {
    await new AgenciesRepository(dataSource).insert({ id: agencyId, name, apiKeyHash: apiKey.hash }, manager);
    await addToOutbox(manager, 'dispatch', { eventId: event.eventId, pattern: PATTERNS.AGENCY_REGISTERED, payload: event });
    const forIntake = { ...event, eventId: randomUUID() };
    await addToOutbox(manager, 'dispatch', { eventId: forIntake.eventId, pattern: PATTERNS.AGENCY_REGISTERED_FOR_INTAKE, payload: forIntake });
  });
  return { agencyId, apiKey: apiKey.secret };
}
