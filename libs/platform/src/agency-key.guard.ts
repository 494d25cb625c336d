import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { Request } from 'express';
import { DomainError } from './domain-error.js';
import { bearerToken, hashSecret } from './secrets.js';

/** Where a service finds its agencies by the hash of their API key (each service keeps its own copy). */
export interface AgencyKeys {
  findByApiKeyHash(apiKeyHash: string): Promise<{ id: string } | null>;
}

/** Injection token for the service's `AgencyKeys`. */
export const AGENCY_KEYS = Symbol('AGENCY_KEYS');

/**
 * The agency an `Authorization: Bearer <API key>` header opens, if it is the agency asked for. No key or an
 * unknown one is UNAUTHENTICATED; a valid key for another agency is AGENCY_NOT_FOUND, so a key never reveals
 * which other agencies exist.
 */
export async function authorizeAgency(keys: AgencyKeys, agencyId: string, authorization: string | undefined): Promise<{ id: string }> {
  const key = bearerToken(authorization);
  if (!key) throw new DomainError('UNAUTHENTICATED', 'send the agency API key as "Authorization: Bearer <key>"');
  const agency = await keys.findByApiKeyHash(hashSecret(key));
  if (!agency) throw new DomainError('UNAUTHENTICATED', 'unknown API key');
  if (!isUUID(agencyId) || agency.id !== agencyId.toLowerCase()) {
    throw new DomainError('AGENCY_NOT_FOUND', `no agency ${agencyId} for this API key`);
  }
  return agency;
}

/** Lets a request through `/v1/agencies/:agencyId/...` only with that agency's API key. */
@Injectable()
export class AgencyKeyGuard implements CanActivate {
  constructor(@Inject(AGENCY_KEYS) private readonly keys: AgencyKeys) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    await authorizeAgency(this.keys, String(request.params.agencyId), request.headers.authorization);
    return true;
  }
}
