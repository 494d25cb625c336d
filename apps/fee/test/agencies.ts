import type { ClientProxy } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { lastValueFrom } from 'rxjs';
import { PATTERNS, type AgencyRegisteredEvent } from '#contracts';
import { hashSecret, newSecret } from '#platform';

export interface TestAgency {
  agencyId: string;
  apiKey: string;
  /** The `Authorization` header value for the agency's API. */
  authorization: string;
}

/**
 * Registers an agency with the fee service the way dispatch does, by its `agency.registered` event over the
 * message transport; the agency then has the default tariff in force from `registeredAt`.
 */
export async function registerAgency(client: ClientProxy, options: { name?: string; registeredAt?: Date } = {}): Promise<TestAgency> {
  const { secret } = newSecret('ak_');
  const event: AgencyRegisteredEvent = {
    eventId: randomUUID(),
    occurredAt: (options.registeredAt ?? new Date(Date.now() - 60_000)).toISOString(),
    agencyId: randomUUID(),
    name: options.name ?? '테스트 대행',
    apiKeyHash: hashSecret(secret),
  };
  await lastValueFrom(client.send(PATTERNS.AGENCY_REGISTERED, event));
  return { agencyId: event.agencyId, apiKey: secret, authorization: `Bearer ${secret}` };
}
