import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, MaxLength, Min } from 'class-validator';
import { EventEnvelope } from '../common/event.js';
import { Nested } from '../common/nested.js';

/** Emitted by dispatch when a delivery moves; order-intake mirrors it on the restaurant's order. */
export const DELIVERY_STATUS_CHANGED = 'delivery.status-changed';

/**
 * `failed`: the trip was under way (assigned or picked up) and could not be finished; final, like `cancelled`.
 * `assigned` comes again, with the new rider, when the agency reassigns the delivery; `unassigned` when the agency
 * takes it back from its rider before pickup, so it waits for another.
 */
export const DELIVERY_EVENT_STATUSES = ['quoted', 'assigned', 'unassigned', 'picked_up', 'delivered', 'cancelled', 'failed'] as const;
export type DeliveryEventStatus = (typeof DELIVERY_EVENT_STATUSES)[number];

export class DeliveryFee {
  @IsInt()
  @Min(0)
  total: number;

  @IsString()
  currency: 'KRW';

  @IsInt()
  @Min(0)
  distanceMeters: number;

  @IsString()
  provider: string;

  @IsBoolean()
  estimated: boolean;
}

export class DeliveryRider {
  @IsUUID()
  id: string;

  @IsString()
  name: string;
}

export class DeliveryStatusChangedEvent extends EventEnvelope {
  @IsUUID()
  orderId: string;

  @IsUUID()
  deliveryId: string;

  @IsIn(DELIVERY_EVENT_STATUSES)
  status: DeliveryEventStatus;

  @IsOptional()
  @Nested(() => DeliveryFee)
  fee?: DeliveryFee;

  @IsOptional()
  @Nested(() => DeliveryRider)
  rider?: DeliveryRider;

  /** Why, on `failed` (as the rider or the agency said), on `unassigned`, and on a `cancelled` that gives one. */
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}
