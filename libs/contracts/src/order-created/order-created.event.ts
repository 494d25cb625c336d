import { IsDefined, IsInt, IsISO8601, IsOptional, IsString, IsUUID, MaxLength, Min } from 'class-validator';
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
}
