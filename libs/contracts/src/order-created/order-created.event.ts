import { IsDefined, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, MaxLength, Min } from 'class-validator';
import { EventEnvelope } from '../common/event.js';
import { GeoPoint } from '../common/geo-point.js';
import { Nested } from '../common/nested.js';

/** Emitted by order-intake when a restaurant's order is accepted; dispatch turns it into a delivery. */
export const ORDER_CREATED = 'order.created';

export class OrderLocation extends GeoPoint {
  @IsString()
  @MaxLength(300)
  address: string;

  @IsOptional()
  @IsString()
  @MaxLength(300)
  detail?: string;
}

/** How the customer pays, and the KRW the rider collects at the door (0 when prepaid). */
export class OrderPayment {
  @IsIn(['prepaid', 'cash', 'card'])
  method: 'prepaid' | 'cash' | 'card';

  @IsInt()
  @Min(0)
  collectAmount: number;
}

export class OrderCreatedEvent extends EventEnvelope {
  @IsUUID()
  orderId: string;

  @IsUUID()
  agencyId: string;

  @IsUUID()
  restaurantId: string;

  @IsString()
  restaurantName: string;

  @IsString()
  externalOrderId: string;

  @IsDefined({ message: 'is required' })
  @Nested(() => OrderLocation)
  pickup: OrderLocation;

  @IsDefined({ message: 'is required' })
  @Nested(() => OrderLocation)
  dropoff: OrderLocation;

  @IsInt()
  @Min(0)
  orderAmount: number;

  @IsOptional()
  @IsString()
  note?: string;

  /**
   * When the food will be ready (ISO 8601): the cooking time the restaurant sent, or its default, from the order's
   * acceptance. Absent from orders accepted before times were kept; dispatch then takes the order as ready on arrival.
   */
  @IsOptional()
  @IsISO8601({ strict: true })
  readyAt?: string;

  /** When the order was promised to the customer (ISO 8601), if the restaurant said so. */
  @IsOptional()
  @IsISO8601({ strict: true })
  promisedAt?: string;

  /** The customer's phone, for the rider who carries the order (and no one else in full). */
  @IsOptional()
  @IsString()
  @MaxLength(20)
  customerPhone?: string;

  /** Absent when the order did not say how the customer pays. */
  @IsOptional()
  @Nested(() => OrderPayment)
  payment?: OrderPayment;

  /** `operator`: the restaurant's agency entered it by hand. Absent: the restaurant sent it. */
  @IsOptional()
  @IsIn(['restaurant', 'operator'])
  enteredBy?: 'restaurant' | 'operator';
}
