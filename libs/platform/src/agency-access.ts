import { createParamDecorator, Injectable, SetMetadata, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Observable } from 'rxjs';

export const OPERATOR_ROLES = ['viewer', 'dispatcher', 'owner'] as const;
/** viewer reads; dispatcher also dispatches by hand; owner also manages tariffs, settings, people, riders and keys. */
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

/** Who made a request to an agency route: one of its operators, or a machine with the agency API key (as owner). */
export interface AgencyActor {
  agencyId: string;
  role: OperatorRole;
  /** Null for the agency API key. */
  operatorId: string | null;
  /** What the audit log shows: the operator's name and email, or "agency API key". */
  label: string;
}

/** A signed-in operator, as the service that keeps sessions finds it by its token. */
export interface OperatorSession {
  operatorId: string;
  agencyId: string;
  name: string;
  email: string;
  role: OperatorRole;
}

/** Where the agency guard finds operators by their session token; only dispatch keeps sessions. */
export interface OperatorSessions {
  /** The operator of a live session (not revoked, not idle too long, not past its absolute end), or null. */
  authenticate(token: string): Promise<OperatorSession | null>;
}

/** Injection token for `OperatorSessions`; where none is provided, agency routes take the API key only. */
export const OPERATOR_SESSIONS = Symbol('OPERATOR_SESSIONS');

/** Prefix of an operator's session token, so the guard knows which kind of bearer it holds. */
export const SESSION_TOKEN_PREFIX = 'os_';

export const REQUIRED_ROLE = 'baecha:requiredRole';

/**
 * The least role a route needs. Without it, reads (GET) need viewer and every other method dispatcher, so a
 * route that changes prices, settings, people or keys must say `@RequiresRole('owner')`.
 */
export const RequiresRole = (role: OperatorRole) => SetMetadata(REQUIRED_ROLE, role);

export function roleAllows(role: OperatorRole, required: OperatorRole): boolean {
  return OPERATOR_ROLES.indexOf(role) >= OPERATOR_ROLES.indexOf(required);
}

export type ActorRequest = Request & { agencyActor?: AgencyActor };

/** The actor the agency guard let the request through as. */
export const Actor = createParamDecorator((_: unknown, context: ExecutionContext): AgencyActor => {
  const actor = context.switchToHttp().getRequest<ActorRequest>().agencyActor;
  if (!actor) throw new Error('@Actor() needs AgencyKeyGuard on the route');
  return actor;
});

/** The actor for the agency API key. */
export function keyActor(agencyId: string): AgencyActor {
  return { agencyId, role: 'owner', operatorId: null, label: 'agency API key' };
}

const actors = new AsyncLocalStorage<AgencyActor>();

/** Who the HTTP request being handled acts as, for code far below its controller (the audit log); else undefined. */
export function currentActor(): AgencyActor | undefined {
  return actors.getStore();
}

/** Runs each guarded agency route's handler as its actor, so `currentActor()` names who acts wherever it is asked. */
@Injectable()
export class AgencyActorScope implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const actor = context.getType() === 'http' ? context.switchToHttp().getRequest<ActorRequest>().agencyActor : undefined;
    if (!actor) return next.handle();
    return new Observable((subscriber) => actors.run(actor, () => next.handle().subscribe(subscriber)));
  }
}
