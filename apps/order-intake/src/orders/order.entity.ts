import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, Unique, UpdateDateColumn } from 'typeorm';
import type { PaymentMethod } from './dto/create-order.request.js';
import type { OrderStatus } from './order-status.js';

export interface OrderItem {
  name: string;
  quantity: number;
  unitPrice: number;
}

/** The delivery fee as dispatch quoted it, with the provenance of its distance. */
export interface OrderFee {
  total: number;
  currency: 'KRW';
  distanceMeters: number;
  provider: string;
  estimated: boolean;
}

/** Who put the order in: the restaurant (its webhook) or its agency's operator (by hand). */
export type OrderEnteredBy = 'restaurant' | 'operator';

/** Why the last try at placing an order's dropoff failed. */
export interface LocateError {
  code: string;
  message: string;
}

/** A restaurant's order as it was accepted, and where its delivery stands. */
@Entity({ schema: 'intake', name: 'orders' })
@Unique('UQ_intake_orders_restaurant_external_order_id', ['restaurantId', 'externalOrderId'])
export class OrderEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid', { name: 'restaurant_id' })
  restaurantId: string;

  @Column('text', { name: 'external_order_id' })
  externalOrderId: string;

  /** sha256 of the canonical JSON of the accepted body: tells a resend from a conflicting reuse of the id. */
  @Column('text', { name: 'request_hash' })
  requestHash: string;

  @Column('text')
  status: OrderStatus;

  @Column('text', { name: 'dropoff_address' })
  dropoffAddress: string;

  /** Null while the order is `locating`: it arrived with an address alone and the map chain has not placed it yet. */
  @Column('double precision', { name: 'dropoff_lng', nullable: true })
  dropoffLng: number | null;

  @Column('double precision', { name: 'dropoff_lat', nullable: true })
  dropoffLat: number | null;

  /** The map provider that placed the dropoff (`kakao`, `naver`); null when the restaurant sent coordinates. */
  @Column('text', { name: 'dropoff_geocoded_by', nullable: true })
  dropoffGeocodedBy: string | null;

  /** Tries at placing the dropoff that failed so far. */
  @Column('integer', { name: 'locate_attempts', default: 0 })
  locateAttempts: number;

  @Column('jsonb', { name: 'last_locate_error', nullable: true })
  lastLocateError: LocateError | null;

  /** When the locator tries again; set only while `locating`. */
  @Index('IDX_intake_orders_locating_due', { where: "status = 'locating'" })
  @Column('timestamptz', { name: 'next_locate_at', nullable: true })
  nextLocateAt: Date | null;

  @Column('text', { name: 'dropoff_detail', nullable: true })
  dropoffDetail: string | null;

  @Column('text', { name: 'customer_phone', nullable: true })
  customerPhone: string | null;

  @Column('jsonb')
  items: OrderItem[];

  @Column('integer', { name: 'order_amount' })
  orderAmount: number;

  @Column('text', { nullable: true })
  note: string | null;

  @Column('jsonb', { nullable: true })
  fee: OrderFee | null;

  /** `operator`: entered by hand by the restaurant's agency (a phone order), not sent by the restaurant. */
  @Column('text', { name: 'entered_by', default: 'restaurant' })
  enteredBy: OrderEnteredBy;

  /** The operator who entered it, once operators have accounts; null while the agency's key is all there is. */
  @Column('uuid', { name: 'entered_by_operator_id', nullable: true })
  enteredByOperatorId: string | null;

  /** Null when the order did not say how the customer pays. */
  @Column('text', { name: 'payment_method', nullable: true })
  paymentMethod: PaymentMethod | null;

  /** KRW the rider collects at the door; 0 when prepaid, null with no payment method. */
  @Column('integer', { name: 'payment_collect_amount', nullable: true })
  paymentCollectAmount: number | null;

  @Column('uuid', { name: 'rider_id', nullable: true })
  riderId: string | null;

  @Column('text', { name: 'rider_name', nullable: true })
  riderName: string | null;

  /** When the food is ready: as sent, or the restaurant's usual cooking time from acceptance; moved by "ready"/"delay". Null on orders accepted before times were kept. */
  @Column('timestamptz', { name: 'ready_at', nullable: true })
  readyAt: Date | null;

  /** When the order was promised to the customer; null when the restaurant did not say. */
  @Column('timestamptz', { name: 'promised_at', nullable: true })
  promisedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
