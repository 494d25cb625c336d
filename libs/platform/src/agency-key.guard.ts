import { createParamDecorator, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '#config';
import { DomainError } from './domain-error.js';
import { clientAddress, FailureLimiter, limiterKey, trustProxy, type TrustProxy } from './failure-limiter.js';
import { bearerToken, hashSecret } from './secrets.js';

/** Where a service finds its agencies by the hash of their API key (each service keeps its own copy). */
export interface AgencyKeys {
  findByApiKeyHash(apiKeyHash: string): Promise<{ id: string } | null>;
}

/** Injection token for the service's `AgencyKeys`. */
export const AGENCY_KEYS = Symbol('AGENCY_KEYS');

/** The agency an `Authorization: Bearer <API key>` header opens; no key or an unknown one is UNAUTHENTICATED. */
export async function authenticateAgency(keys: AgencyKeys, authorization: string | undefined): Promise<{ id: string }> {
  const key = bearerToken(authorization);
  if (!key) throw new DomainError('UNAUTHENTICATED', 'send the agency API key as "Authorization: Bearer <key>"');
  const agency = await keys.findByApiKeyHash(hashSecret(key));
  if (!agency) throw new DomainError('UNAUTHENTICATED', 'unknown API key');
  return agency;
}

/**
 * AGENCY_NOT_FOUND unless `agencyId` names the agency whose key was sent: whether another agency by that id exists
 * or not, the answer is the same, so a key never reveals which other agencies exist.
 */
export function assertKeyOpens(keyAgencyId: string, agencyId: string): void {
  if (!isUUID(agencyId) || keyAgencyId !== agencyId.toLowerCase()) throw new DomainError('AGENCY_NOT_FOUND', `no agency ${agencyId} for this API key`);
}

/**
 * The agency an `Authorization: Bearer <API key>` header opens, if it is the agency asked for. No key or an
 * unknown one is UNAUTHENTICATED; a valid key for another agency is AGENCY_NOT_FOUND (see `assertKeyOpens`).
 */
export async function authorizeAgency(keys: AgencyKeys, agencyId: string, authorization: string | undefined): Promise<{ id: string }> {
  const agency = await authenticateAgency(keys, authorization);
  assertKeyOpens(agency.id, agencyId);
  return agency;
}

/**
 * Lets a request through `/v1/agencies/:agencyId/...` only with that agency's API key. A client address that sent
 * AUTH_FAILURES_PER_ADDRESS unknown keys within the window is answered 429 TOO_MANY_ATTEMPTS with Retry-After,
 * before its key is looked at, until the oldest of them is out of the window.
 */
@Injectable()
export class AgencyKeyGuard implements CanActivate {
  private readonly failures: FailureLimiter;
  private readonly trust: TrustProxy;

  constructor(
    @Inject(AGENCY_KEYS) private readonly keys: AgencyKeys,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.failures = new FailureLimiter({ limit: config.auth.failuresPerAddress, windowMs: config.auth.failureWindowMs });
    this.trust = trustProxy(config.auth.trustProxy);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const client = limiterKey(clientAddress(request, this.trust));
    const waitSeconds = Math.ceil(this.failures.retryAfterMs(client) / 1000);
    if (waitSeconds > 0) {
      http.getResponse<Response>().setHeader('Retry-After', String(waitSeconds));
      throw new DomainError('TOO_MANY_ATTEMPTS', `too many unknown API keys from your address: try again in ${waitSeconds} s`, { retryAfterSeconds: waitSeconds });
    }
    try {
      await authorizeAgency(this.keys, String(request.params.agencyId), request.headers.authorization);
    } catch (error) {
      // A wrong key is a guess; no key at all, or another agency's valid key, is not.
      if (error instanceof DomainError && error.code === 'UNAUTHENTICATED' && bearerToken(request.headers.authorization)) this.failures.fail(client);
      throw error;
    }
    return true;
  }
}

type KeyedRequest = Request & { keyAgencyId?: string };

/**
 * Lets a request through only with some agency's API key, for routes whose agency is named in the body; the
 * handler reads which agency that is with `@KeyAgency()` and refuses any other (see `assertKeyOpens`).
 */
@Injectable()
export class AnyAgencyKeyGuard implements CanActivate {
  constructor(@Inject(AGENCY_KEYS) private readonly keys: AgencyKeys) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<KeyedRequest>();
    request.keyAgencyId = (await authenticateAgency(this.keys, request.headers.authorization)).id;
    return true;
  }
}

/** The id of the agency whose key `AnyAgencyKeyGuard` let the request through with. */
export const KeyAgency = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const id = context.switchToHttp().getRequest<KeyedRequest>().keyAgencyId;
  if (!id) throw new Error('@KeyAgency() needs AnyAgencyKeyGuard on the route');
  return id;
});
