import { IsInt, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';

/**
 * Request/reply to order-intake: an order an agency's operator entered on the dashboard, forwarded by dispatch.
 * Intake takes it exactly as its own `POST /v1/agencies/{agencyId}/orders` (same validation, one order per
 * idempotency key, the same `order.created`), so a retry after either side restarted gets the first answer.
 * Refusals answer a domain error (`VALIDATION_FAILED`, `RESTAURANT_NOT_FOUND`, `ORDER_CONFLICT`, `AGENCY_NOT_FOUND`).
 */
export const ORDER_ENTER = 'order.enter';

/** An Idempotency-Key: printable ASCII, as such headers are in practice (a UUID, a call-centre ticket number). */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

export class OrderEnterRequest {
  @IsUUID()
  agencyId: string;

  /** The Idempotency-Key the dashboard sent; intake's receipt key for the order. */
  @Matches(IDEMPOTENCY_KEY, { message: 'must be 1 to 200 printable ASCII characters' })
  idempotencyKey: string;

  /** The operator who entered it; absent for the agency API key. */
  @IsOptional()
  @IsUUID()
  operatorId?: string;

  /** The order's JSON text as the agency sent it; intake reads it with the webhook's rules. */
  @IsString()
  @Length(2, 1_000_000)
  body: string;
}

/** Intake's answer, as it stored it for the key: `202 { orderId, status }`. */
export class OrderEnterAnswer {
  @IsInt()
  status: number;

  body: { orderId: string; status: 'received' | 'locating' };
}
