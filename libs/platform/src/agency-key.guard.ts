import { applyDecorators, createParamDecorator, Inject, Injectable, Optional, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth } from '@nestjs/swagger';
import { isUUID } from 'class-validator';
import type { Request } from 'express';
import {
  keyActor,
  OPERATOR_SESSIONS,
  REQUIRED_ROLE,
  RequiresRole,
  roleAllows,
  SESSION_TOKEN_PREFIX,
  type ActorRequest,
  type AgencyActor,
  type OperatorRole,
  type OperatorSessions,
} from './agency-access.js';
import { ApiErrors } from './api-docs.js';
import { replacedKeyRefusal } from './credential-rotation.js';
import { DomainError } from './domain-error.js';
import { bearerToken, hashSecret } from './secrets.js';

/**
 * The agency a key hash opens: its current key (`replacedUntil` null), or the key its last rotation replaced, with
 * when that one stops (or stopped) working. A key replaced by an earlier rotation is not found.
 */
export interface KeyHolder {
  id: string;
  replacedUntil: Date | null;
}

/** Where a service finds its agencies by the hash of their API key (each service keeps its own copy). */
export interface AgencyKeys {
  findByApiKeyHash(apiKeyHash: string): Promise<KeyHolder | null>;
}

/** Injection token for the service's `AgencyKeys`. */
export const AGENCY_KEYS = Symbol('AGENCY_KEYS');

/**
 * The agency an `Authorization: Bearer <API key>` header opens; no key or an unknown one is UNAUTHENTICATED. A key
 * a rotation replaced works until its window ends, and is then refused saying when it stopped (only the one who
 * sends that very key learns it, and it does not count as a guess: see replacedKeyRefusal).
 */
export async function authenticateAgency(keys: AgencyKeys, authorization: string | undefined): Promise<{ id: string }> {
  const key = bearerToken(authorization);
  if (!key) throw new DomainError('UNAUTHENTICATED', 'send the agency API key as "Authorization: Bearer <key>"');
  const agency = await keys.findByApiKeyHash(hashSecret(key));
  if (!agency) throw new DomainError('UNAUTHENTICATED', 'unknown API key');
  if (agency.replacedUntil && agency.replacedUntil <= new Date()) throw replacedKeyRefusal('agency API key', agency.replacedUntil);
  return { id: agency.id };
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
 * Lets a request through `/v1/agencies/:agencyId/...` only with that agency's API key or, where the service keeps
 * operator sessions, a session of one of its operators whose role the route allows (see `RequiresRole`). Another
 * agency's key or operator gets AGENCY_NOT_FOUND, as for an agency that does not exist; a role too low, FORBIDDEN.
 * Guessed keys and tokens are limited for every route at once (see KeyGuesses).
 */
@Injectable()
export class AgencyKeyGuard implements CanActivate {
  constructor(
    @Inject(AGENCY_KEYS) private readonly keys: AgencyKeys,
    private readonly reflector: Reflector,
    @Optional() @Inject(OPERATOR_SESSIONS) private readonly sessions?: OperatorSessions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ActorRequest>();
    const agencyId = String(request.params.agencyId);
    const token = bearerToken(request.headers.authorization);
    if (this.sessions && token?.startsWith(SESSION_TOKEN_PREFIX)) {
      const operator = await this.sessions.authenticate(token);
      if (!operator) throw new DomainError('UNAUTHENTICATED', 'unknown, expired or revoked session: sign in again');
      assertKeyOpens(operator.agencyId, agencyId);
      const required = this.requiredRole(context, request.method);
      if (!roleAllows(operator.role, required)) {
        throw new DomainError('FORBIDDEN', `a ${operator.role} may not do this: it needs ${required}`, { role: operator.role, required });
      }
      request.agencyActor = { agencyId: operator.agencyId, role: operator.role, operatorId: operator.operatorId, label: `${operator.name} <${operator.email}>` } satisfies AgencyActor;
      return true;
    }
    const agency = await authorizeAgency(this.keys, agencyId, request.headers.authorization);
    request.agencyActor = keyActor(agency.id);
    return true;
  }

  private requiredRole(context: ExecutionContext, method: string): OperatorRole {
    const declared = this.reflector.getAllAndOverride<OperatorRole | undefined>(REQUIRED_ROLE, [context.getHandler(), context.getClass()]);
    return declared ?? (method === 'GET' || method === 'HEAD' ? 'viewer' : 'dispatcher');
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

/**
 * A controller of `/v1/agencies/:agencyId/...` routes: guarded by AgencyKeyGuard, documented as taking the agency
 * key or an operator session, and (with `role`) needing at least that role on every route.
 */
export const AgencyRoutes = (role?: OperatorRole) =>
  applyDecorators(
    ApiBearerAuth('agencyKey'),
    ApiBearerAuth('operatorSession'),
    ApiErrors(['UNAUTHENTICATED', 'FORBIDDEN', 'AGENCY_NOT_FOUND']),
    UseGuards(AgencyKeyGuard),
    ...(role ? [RequiresRole(role)] : []),
  );
