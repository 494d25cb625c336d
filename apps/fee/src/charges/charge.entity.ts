import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { DeliveryChargeStage } from '#contracts';

/** A delivery as the fee service settles it: the quote frozen by dispatch's first `delivery.charge`, and how far it got. */
@Entity({ schema: 'fee', name: 'charges' })
export class ChargeEntity {
  @PrimaryColumn('uuid', { name: 'delivery_id' })
  deliveryId: string;

  @Column('uuid', { name: 'order_id' })
  orderId: string;

  @Column('uuid', { name: 'agency_id' })
  agencyId: string;

  @Column('uuid', { name: 'restaurant_id' })
  restaurantId: string;

  /** Never changes after the first event. */
  @Column('uuid', { name: 'quote_id' })
  quoteId: string;

  /** The rider of the latest assignment. */
  @Column('uuid', { name: 'rider_id', nullable: true })
  riderId: string | null;

  @Column('text')
  stage: DeliveryChargeStage;

  @Column('timestamptz', { name: 'assigned_at', nullable: true })
  assignedAt: Date | null;

  @Column('timestamptz', { name: 'delivered_at', nullable: true })
  deliveredAt: Date | null;

  @Column('timestamptz', { name: 'cancelled_at', nullable: true })
  cancelledAt: Date | null;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt: Date;
}
