import { Injectable } from '@nestjs/common';
import {
  IDEMPOTENCY_KEY,
  PATTERNS,
  type AgencyRestaurants,
  type FeeGeocode,
  type FeeGeocodeRequest,
  type OrderEnterAnswer,
  type OrderEnterRequest,
} from '#contracts';
import { Messaging } from '#messaging';
import { DomainError, HTTP_STATUS_BY_CODE, type AgencyActor, type ErrorCode } from '#platform';
import { AuditLogRepository } from '../audit/audit-log.repository.js';

/** How long intake may take to store an order; past it the dashboard sends it again with the same key. */
const INTAKE_TIMEOUT_MS = 10_000;
const FEE_TIMEOUT_MS = 10_000;

/**
 * The dashboard's phone-order form on dispatch: orders go to order-intake over the message transport, taken there
 * exactly as its own agency API takes them; the operator's Idempotency-Key travels with the order, so however
 * often either side restarts and the browser retries, there is one order.
 */
@Injectable()
export class OrderEntryService {
  constructor(
    private readonly messaging: Messaging,
    private readonly audit: AuditLogRepository,
  ) {}

  async enter(actor: AgencyActor, idempotencyKey: string | undefined, order: unknown): Promise<OrderEnterAnswer> {
    if (idempotencyKey === undefined || !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw DomainError.validation([{ field: 'Idempotency-Key', value: idempotencyKey, reason: 'header is required: 1 to 200 printable ASCII characters, the same on every retry of this order' }]);
    }
    const request: OrderEnterRequest = {
      agencyId: actor.agencyId,
      idempotencyKey,
      ...(actor.operatorId ? { operatorId: actor.operatorId } : {}),
      body: JSON.stringify(order),
    };
    const answer = await this.ask<OrderEnterAnswer>(PATTERNS.ORDER_ENTER, request, INTAKE_TIMEOUT_MS, 'order-intake');
    const { restaurantId, externalOrderId } = (order ?? {}) as Record<string, unknown>;
    await this.audit.recordOrderEntered(actor, answer.body.orderId, { restaurantId, externalOrderId, idempotencyKey });
    return answer;
  }

  restaurants(agencyId: string): Promise<AgencyRestaurants> {
    return this.ask<AgencyRestaurants>(PATTERNS.AGENCY_RESTAURANTS, { agencyId }, INTAKE_TIMEOUT_MS, 'order-intake');
  }

  /** Through fee's geocode chain: the point and who placed it (`kakao`, `naver`, or fee's cache of them). */
  geocode(request: FeeGeocodeRequest): Promise<FeeGeocode> {
    return this.ask<FeeGeocode>(PATTERNS.FEE_GEOCODE, { address: request.address }, FEE_TIMEOUT_MS, 'fee');
  }

  private async ask<T>(pattern: Parameters<Messaging['request']>[0], payload: unknown, timeoutMs: number, service: string): Promise<T> {
    try {
      return await this.messaging.request<T>(pattern, payload, timeoutMs);
    } catch (error) {
      throw remoteError(error, service);
    }
  }
}

/** The remote service's own refusal as it gave it; anything else (down, silent, failing) as unavailable. */
function remoteError(error: unknown, service: string): DomainError {
  const remote = (error ?? {}) as { code?: unknown; message?: unknown; details?: unknown };
  if (typeof remote.code === 'string' && Object.hasOwn(HTTP_STATUS_BY_CODE, remote.code)) {
    return new DomainError(remote.code as ErrorCode, String(remote.message ?? remote.code), remote.details as Record<string, unknown> | undefined);
  }
  const why = error instanceof Error ? error.message : typeof remote.message === 'string' ? remote.message : String(error);
  return new DomainError('UPSTREAM_UNAVAILABLE', `${service} did not answer (${why}); nothing is lost: send the same request again`, { service });
}
