import type { ClassConstructor } from 'class-transformer';
import { IsDefined, IsIn, IsOptional } from 'class-validator';
import { Nested, validateContract, type FieldError, type Validated } from '#contracts';
import { MAX_COOKING_MINUTES, MAX_PROMISE_MINUTES, timingErrors } from '../order-timing.js';
import { IsInstant, IsIntegerIn, IsKoreanLat, IsKoreanLng, IsKoreanPhone, IsList, IsText } from './field-rules.js';

/** 100 million KRW: far above any delivery order, far below the database's integer limit. */
const MAX_KRW = 100_000_000;

/*
 * The body of POST /v1/restaurants/{restaurantId}/orders. Limits are no looser than the `order.created` event's,
 * so an accepted order always makes a valid event.
 */

export class OrderDropoffRequest {
  @IsText(1, 300)
  address: string;

  /** Both or neither; with neither the order is `locating` until its address is geocoded. See validateOrderRequest. */
  @IsOptional()
  @IsKoreanLng()
  lng?: number;

  @IsOptional()
  @IsKoreanLat()
  lat?: number;

  /** Floor, door code, "leave at the door". */
  @IsOptional()
  @IsText(1, 300)
  detail?: string;
}

export class OrderCustomerRequest {
  @IsOptional()
  @IsKoreanPhone()
  phone?: string;
}

/** How the customer pays: already paid (prepaid), or cash or card to the rider at the door. */
export const PAYMENT_METHODS = ['prepaid', 'cash', 'card'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export class OrderPaymentRequest {
  @IsIn(PAYMENT_METHODS, { message: 'must be prepaid, cash or card' })
  method: PaymentMethod;

  /** KRW the rider collects at the door: at least 1 for cash and card, 0 (or left out) for prepaid. */
  @IsOptional()
  @IsIntegerIn(0, MAX_KRW)
  collectAmount?: number;
}

export class OrderItemRequest {
  @IsText(1, 200)
  name: string;

  @IsIntegerIn(1, 1000)
  quantity: number;

  /** KRW. */
  @IsIntegerIn(0, MAX_KRW)
  unitPrice: number;
}

export class CreateOrderRequest {
  /** The restaurant's (or its POS's) own id for the order; unique per restaurant. */
  @IsText(1, 100)
  externalOrderId: string;

  @IsDefined({ message: 'is required' })
  @Nested(() => OrderDropoffRequest)
  dropoff: OrderDropoffRequest;

  @IsOptional()
  @Nested(() => OrderCustomerRequest)
  customer?: OrderCustomerRequest;

  @IsList(1, 100)
  @Nested(() => OrderItemRequest, { each: true })
  items: OrderItemRequest[];

  /** What the customer pays for the food, in KRW. */
  @IsIntegerIn(0, MAX_KRW)
  orderAmount: number;

  @IsOptional()
  @IsText(1, 500)
  note?: string;

  /** How the customer pays and what the rider collects; left out, nothing is said (as before payments were kept). */
  @IsOptional()
  @Nested(() => OrderPaymentRequest)
  payment?: OrderPaymentRequest;

  /** 조리시간: minutes from acceptance until the food is ready. Or `readyAt`, not both; neither: the restaurant's usual time. */
  @IsOptional()
  @IsIntegerIn(0, MAX_COOKING_MINUTES)
  cookingMinutes?: number;

  /** When the food will be ready; at most a few minutes past, at most MAX_COOKING_MINUTES ahead. */
  @IsOptional()
  @IsInstant()
  readyAt?: string;

  /** Minutes from acceptance by which the customer was promised the order. Or `promisedAt`, not both. */
  @IsOptional()
  @IsIntegerIn(1, MAX_PROMISE_MINUTES)
  promisedMinutes?: number;

  /** When the customer was promised the order; no earlier than the ready time sent with it. */
  @IsOptional()
  @IsInstant()
  promisedAt?: string;
}

/**
 * Coordinates come as a pair or not at all. Without them the order waits in `locating` until the map chain
 * places its address; given, they are used as they are.
 */
function dropoffPointErrors(plain: unknown): FieldError[] {
  const dropoff = (plain as { dropoff?: unknown } | null)?.dropoff;
  if (dropoff === null || typeof dropoff !== 'object' || Array.isArray(dropoff)) return [];
  const { lng, lat } = dropoff as { lng?: unknown; lat?: unknown };
  const hasLng = lng !== undefined && lng !== null;
  const hasLat = lat !== undefined && lat !== null;
  if (!hasLng && !hasLat) return [];
  if (!hasLng) return [{ field: 'dropoff.lng', value: lng, reason: 'is required together with dropoff.lat' }];
  if (!hasLat) return [{ field: 'dropoff.lat', value: lat, reason: 'is required together with dropoff.lng' }];
  return [];
}

/** Cash and card orders say what the rider collects; a prepaid one has nothing to collect. */
function paymentErrors(plain: unknown): FieldError[] {
  const payment = (plain as { payment?: unknown } | null)?.payment;
  if (payment === null || typeof payment !== 'object' || Array.isArray(payment)) return [];
  const { method, collectAmount } = payment as { method?: unknown; collectAmount?: unknown };
  if (method === 'prepaid' && collectAmount !== undefined && collectAmount !== 0) {
    return [{ field: 'payment.collectAmount', value: collectAmount, reason: 'must be 0 or left out for a prepaid order' }];
  }
  if ((method === 'cash' || method === 'card') && (collectAmount === undefined || collectAmount === 0)) {
    return [{ field: 'payment.collectAmount', value: collectAmount, reason: `is required (at least 1 KRW) when the customer pays by ${method}` }];
  }
  return [];
}

/**
 * Validates an order body received at `now`, listing every bad field once; `type` is the body's class (an
 * operator's entry adds the restaurant to it).
 */
export function validateOrderRequest<T extends CreateOrderRequest = CreateOrderRequest>(
  plain: unknown,
  now: Date = new Date(),
  type: ClassConstructor<T> = CreateOrderRequest as ClassConstructor<T>,
): Validated<T> {
  const result = validateContract(type, plain);
  const errors = (result.ok ? [] : result.errors).concat(dropoffPointErrors(plain), paymentErrors(plain), timingErrors(plain, now));
  return errors.length === 0 ? result : { ok: false, errors };
}
