import { IsDefined, IsOptional } from 'class-validator';
import { Nested, validateContract, type FieldError, type Validated } from '#contracts';
import { IsIntegerIn, IsKoreanLat, IsKoreanLng, IsKoreanPhone, IsList, IsText } from './field-rules.js';

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

/** Validates an order body, listing every bad field once. */
export function validateOrderRequest(plain: unknown): Validated<CreateOrderRequest> {
  const result = validateContract(CreateOrderRequest, plain);
  const errors = (result.ok ? [] : result.errors).concat(dropoffPointErrors(plain));
  return errors.length === 0 ? result : { ok: false, errors };
}
