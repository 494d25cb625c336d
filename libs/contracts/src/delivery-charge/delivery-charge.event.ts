import { IsIn, IsISO8601, IsOptional, IsUUID } from 'class-validator';
import { EventEnvelope } from '../common/event.js';

/**
 * Emitted by dispatch as a priced delivery is assigned, changes hands, is delivered or is cancelled. The fee
 * service freezes the delivery's quote at the first assignment and settles restaurants and riders from these.
 */
export const DELIVERY_CHARGE = 'delivery.charge';

export const DELIVERY_CHARGE_STAGES = ['assigned', 'picked_up', 'delivered', 'cancelled'] as const;
export type DeliveryChargeStage = (typeof DELIVERY_CHARGE_STAGES)[number];

export class DeliveryChargeEvent extends EventEnvelope {
  @IsUUID()
  deliveryId: string;

  @IsUUID()
  orderId: string;

  @IsUUID()
  agencyId: string;

  @IsUUID()
  restaurantId: string;

  /** The fee service's quote the delivery was priced at. */
  @IsUUID()
  quoteId: string;

  @IsIn(DELIVERY_CHARGE_STAGES)
  stage: DeliveryChargeStage;

  /** The rider carrying it; absent once cancelled before anyone took it. */
  @IsOptional()
  @IsUUID()
  riderId?: string;

  /** When the delivery reached this stage in dispatch. */
  @IsISO8601()
  at: string;
}
