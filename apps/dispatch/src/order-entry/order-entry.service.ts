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
import { DomainError, type AgencyActor } from '#platform';
import { AuditLogRepository } from '../audit/audit-log.repository.js';
import { askUpstream } from '../upstream/ask-upstream.js';

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

  private ask<T>(pattern: Parameters<Messaging['request']>[0], payload: unknown, timeoutMs: number, service: string): Promise<T> {
    return askUpstream<T>(this.messaging, pattern, payload, { timeoutMs, service });
  }
}
