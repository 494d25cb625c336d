import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, Unique, UpdateDateColumn } from 'typeorm';
import type { FeeItem, RouteAttempt, TimingChange } from '#contracts';
import type { DeliveryStatus } from './delivery-status.js';
import type { DispatchDecision } from './dispatch-decision.js';

/** The fee service's whole answer, kept with its provenance (which provider, estimated or not). */
export interface DeliveryQuote {
  quoteId: string;
  total: number;
  currency: 'KRW';
  items: FeeItem[];
  distanceMeters: number;
  durationSeconds: number;
  provider: string;
  estimated: boolean;
  /** How the distance was obtained, kept so an estimated fee can be told apart and reconciled later. */
  detourFactor?: number;
  factorSource?: 'calibrated' | 'default';
  cached?: boolean;
  attempts?: RouteAttempt[];
  /**
   * What the rider earns for the trip, in KRW, and the tariff that priced it. Absent on deliveries priced
   * before the fee service reported them.
   */
  riderPay?: number;
  tariffVersion?: number;
  pricedAt?: string;
  distanceBasis?: 'route' | 'straight';
}

/** Codes the fee service answers when it will not price a trip until something changes (not an outage). */
export const PRICING_PROBLEM_CODES = ['NO_LOCATION', 'NO_TARIFF', 'OUTSIDE_SERVICE_AREA', 'BEYOND_MAX_DISTANCE'] as const;
export type PricingProblemCode = (typeof PRICING_PROBLEM_CODES)[number];

/** Why the fee service last refused to price the delivery; the agency sees it, and it is cleared once priced. */
export interface PricingProblem {
  code: PricingProblemCode;
  message: string;
  /** When fee answered so (ISO 8601). */
  at: string;
}

/** One order to carry from a restaurant to a customer, from its arrival until delivered or cancelled. */
@Entity({ schema: 'dispatch', name: 'deliveries' })
@Unique('UQ_dispatch_deliveries_order_id', ['orderId'])
@Check('CHK_dispatch_deliveries_rider', `(rider_id IS NOT NULL) = (status IN ('assigned', 'picked_up', 'delivered', 'failed'))`)
@Check('CHK_dispatch_deliveries_priced', `fee IS NOT NULL OR status IN ('pending', 'cancelled') OR fee_pending_since IS NOT NULL`)
@Index('IDX_dispatch_deliveries_waiting', ['createdAt'], { where: `status = 'pending'` })
@Index('IDX_dispatch_deliveries_agency_created', ['agencyId', 'createdAt'])
@Index('IDX_dispatch_deliveries_rider_active', ['riderId'], { where: `status IN ('assigned', 'picked_up')` })
export class DeliveryEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid', { name: 'order_id' })
  orderId: string;

  @Column('uuid', { name: 'agency_id' })
  agencyId: string;

  @Column('uuid', { name: 'restaurant_id' })
  restaurantId: string;

  @Column('text', { name: 'restaurant_name' })
  restaurantName: string;

  /** The restaurant's own id for the order; null on deliveries from before it was kept. */
  @Column('text', { name: 'external_order_id', nullable: true })
  externalOrderId: string | null;

  @Column('double precision', { name: 'pickup_lng' })
  pickupLng: number;

  @Column('double precision', { name: 'pickup_lat' })
  pickupLat: number;

  @Column('text', { name: 'pickup_address' })
  pickupAddress: string;

  @Column('double precision', { name: 'dropoff_lng' })
  dropoffLng: number;

  @Column('double precision', { name: 'dropoff_lat' })
  dropoffLat: number;

  @Column('text', { name: 'dropoff_address' })
  dropoffAddress: string;

  @Column('text', { name: 'dropoff_detail', nullable: true })
  dropoffDetail: string | null;

  @Column('text', { default: 'pending' })
  status: DeliveryStatus;

  /** Null until the fee service has priced the trip. */
  @Column('jsonb', { nullable: true })
  fee: DeliveryQuote | null;

  /** The fee service's last refusal to price; null once priced, or while it was only unreachable. */
  @Column('jsonb', { name: 'pricing_problem', nullable: true })
  pricingProblem: PricingProblem | null;

  /** Set exactly while assigned, picked up, delivered or failed (the rider who failed it). */
  @Column('uuid', { name: 'rider_id', nullable: true })
  riderId: string | null;

  /** Failed requests to the fee service so far; the next is not tried before `nextQuoteAt`. */
  @Column('integer', { name: 'quote_attempts', default: 0 })
  quoteAttempts: number;

  @Column('timestamptz', { name: 'next_quote_at' })
  nextQuoteAt: Date;

  @Column('timestamptz', { name: 'quoted_at', nullable: true })
  quotedAt: Date | null;

  /** When the delivery was first offered before fee had priced it (riders saw `feePending`); null if priced first. */
  @Column('timestamptz', { name: 'fee_pending_since', nullable: true })
  feePendingSince: Date | null;

  /** Since when nobody has taken it for DISPATCH_MANUAL_AFTER_SECONDS: the agency should dispatch it by hand. */
  @Column('timestamptz', { name: 'manual_dispatch_since', nullable: true })
  manualDispatchSince: Date | null;

  @Column('timestamptz', { name: 'assigned_at', nullable: true })
  assignedAt: Date | null;

  @Column('timestamptz', { name: 'picked_up_at', nullable: true })
  pickedUpAt: Date | null;

  @Column('timestamptz', { name: 'delivered_at', nullable: true })
  deliveredAt: Date | null;

  @Column('timestamptz', { name: 'cancelled_at', nullable: true })
  cancelledAt: Date | null;

  @Column('timestamptz', { name: 'failed_at', nullable: true })
  failedAt: Date | null;

  /** Why the trip could not be finished, as the rider or the agency said. */
  @Column('text', { name: 'failure_reason', nullable: true })
  failureReason: string | null;

  /** When the food is ready, as the restaurant said (or its default); null: ready when the delivery arrived. */
  @Column('timestamptz', { name: 'ready_at', nullable: true })
  readyAt: Date | null;

  /** When the order was promised to the customer; null when the restaurant did not say. */
  @Column('timestamptz', { name: 'promised_at', nullable: true })
  promisedAt: Date | null;

  /** What the restaurant last said of the ready time after the order: `ready` (now) or `delayed`; null: nothing. */
  @Column('text', { name: 'ready_change', nullable: true })
  readyChange: TimingChange | null;

  /** When it said it (its event's time): a change that arrives late does not undo a newer one. */
  @Column('timestamptz', { name: 'ready_changed_at', nullable: true })
  readyChangedAt: Date | null;

  /** The planner's latest decision on it: offered to whom and why, or held and why (null until planned). */
  @Column('jsonb', { name: 'dispatch_decision', nullable: true })
  dispatchDecision: DispatchDecision | null;

  /** The customer's phone as the order gave it: in full only to the delivery's rider, masked on the board. */
  @Column('text', { name: 'customer_phone', nullable: true })
  customerPhone: string | null;

  /** `prepaid`, `cash` or `card` (on delivery); null when the order did not say. */
  @Column('text', { name: 'payment_method', nullable: true })
  paymentMethod: 'prepaid' | 'cash' | 'card' | null;

  /** KRW the rider collects at the door; 0 when prepaid, null with no payment method. */
  @Column('integer', { name: 'payment_collect_amount', nullable: true })
  paymentCollectAmount: number | null;

  /** `operator`: the agency entered the order by hand (a phone order). */
  @Column('text', { name: 'entered_by', default: 'restaurant' })
  enteredBy: 'restaurant' | 'operator';

  /** Set by the agency: automatic dispatch leaves the delivery alone until it is released or assigned by hand. */
  @Column('boolean', { name: 'dispatch_hold', default: false })
  dispatchHold: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
