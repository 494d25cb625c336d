import { Injectable } from '@nestjs/common';
import { PATTERNS, type RestaurantAdminAction, type RestaurantAdminRequest } from '#contracts';
import { Messaging } from '#messaging';
import { currentActor, DomainError, HTTP_STATUS_BY_CODE, type ErrorCode } from '#platform';

/** How long an agency's request waits for order-intake, which owns restaurants. */
const INTAKE_TIMEOUT_MS = 10_000;

/** Order-intake's refusal as the same domain error here; no answer at all as UPSTREAM_UNAVAILABLE. */
function fromIntake(error: unknown): DomainError {
  const reply = error as { code?: unknown; message?: unknown; details?: unknown } | null;
  if (typeof reply?.code === 'string' && reply.code in HTTP_STATUS_BY_CODE && reply.code !== 'INTERNAL') {
    return new DomainError(reply.code as ErrorCode, String(reply.message), reply.details as DomainError['details']);
  }
  const why = (error as Error | null)?.name === 'TimeoutError' ? `no answer within ${INTAKE_TIMEOUT_MS} ms` : String(reply?.message ?? error);
  return new DomainError('UPSTREAM_UNAVAILABLE', `order-intake, which keeps restaurants, could not be asked: ${why}`);
}

/**
 * The agency's restaurants, which order-intake keeps: each request is passed on over the message transport with
 * who makes it, and intake records every change for the audit log (see RestaurantAuditConsumer).
 */
@Injectable()
export class AgencyRestaurants {
  constructor(private readonly messaging: Messaging) {}

  async ask<T>(agencyId: string, action: RestaurantAdminAction, options: { restaurantId?: string; fields?: Record<string, unknown> } = {}): Promise<T> {
    const actor = currentActor();
    const request: RestaurantAdminRequest = {
      agencyId,
      action,
      actor: { operatorId: actor?.operatorId ?? null, label: actor?.label ?? 'agency API key' },
      ...options,
    };
    try {
      return await this.messaging.request<T>(PATTERNS.RESTAURANT_ADMIN, request, INTAKE_TIMEOUT_MS);
    } catch (error) {
      throw fromIntake(error);
    }
  }
}
