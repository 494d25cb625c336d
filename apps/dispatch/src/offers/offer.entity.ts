import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, Unique } from 'typeorm';
import type { OfferExplanation } from '#planner';

export const OFFER_STATUSES = ['pending', 'accepted', 'declined', 'expired', 'taken', 'withdrawn'] as const;
/**
 * `pending` waits for the rider; `accepted`, `declined` and `expired` are the rider's answer (or silence);
 * `taken` means another offer of the delivery was accepted; `withdrawn` that the delivery was cancelled.
 */
export type OfferStatus = (typeof OFFER_STATUSES)[number];

/** A delivery offered to one rider. A rider is offered a delivery at most once, so a decline is remembered. */
@Entity({ schema: 'dispatch', name: 'offers' })
@Unique('UQ_dispatch_offers_delivery_rider', ['deliveryId', 'riderId'])
@Index('UQ_dispatch_offers_one_pending_sequential', ['deliveryId'], { unique: true, where: `status = 'pending' AND NOT broadcast` })
@Index('IDX_dispatch_offers_delivery_pending', ['deliveryId'], { where: `status = 'pending'` })
@Index('UQ_dispatch_offers_one_accepted', ['deliveryId'], { unique: true, where: `status = 'accepted'` })
@Index('IDX_dispatch_offers_rider_pending', ['riderId'], { where: `status = 'pending'` })
@Index('IDX_dispatch_offers_pending_expiry', ['expiresAt'], { where: `status = 'pending'` })
@Index('IDX_dispatch_offers_pending_unseen', ['createdAt'], { where: `status = 'pending' AND seen_at IS NULL` })
@Check('CHK_dispatch_offers_responded', `(status = 'pending') = (responded_at IS NULL)`)
export class OfferEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid', { name: 'delivery_id' })
  deliveryId: string;

  @Column('uuid', { name: 'rider_id' })
  riderId: string;

  @Column('text', { default: 'pending' })
  status: OfferStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt: Date;

  /** One of several open at once (the agency broadcasts); a sequential offer is its delivery's only open one. */
  @Column('boolean', { default: false })
  broadcast: boolean;

  /** Why the planner chose this rider: its cost part by part, the runner-up and a summary (libs/planner). */
  @Column('jsonb', { nullable: true })
  score: OfferExplanation | null;

  /** When the rider's app acknowledged receiving it (`offer:seen`); null until then. */
  @Column('timestamptz', { name: 'seen_at', nullable: true })
  seenAt: Date | null;

  /** When the offer stopped being pending: answered, expired, taken or withdrawn. */
  @Column('timestamptz', { name: 'responded_at', nullable: true })
  respondedAt: Date | null;
}
