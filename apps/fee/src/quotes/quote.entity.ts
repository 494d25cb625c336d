import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { FeeItem, RouteAttempt } from '#contracts';

/** Every quote given, with the distance provenance it was priced on, so estimated ones can be found later. */
@Entity({ schema: 'fee', name: 'quotes' })
export class QuoteEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Index('IDX_fee_quotes_order_id')
  @Column('text', { name: 'order_id', nullable: true })
  orderId: string | null;

  @Column('uuid', { name: 'agency_id', nullable: true })
  agencyId: string | null;

  @Column('double precision', { name: 'pickup_lng' })
  pickupLng: number;

  @Column('double precision', { name: 'pickup_lat' })
  pickupLat: number;

  @Column('double precision', { name: 'dropoff_lng' })
  dropoffLng: number;

  @Column('double precision', { name: 'dropoff_lat' })
  dropoffLat: number;

  @Column('integer', { name: 'distance_meters' })
  distanceMeters: number;

  @Column('integer', { name: 'duration_seconds' })
  durationSeconds: number;

  @Column('text')
  provider: string;

  @Column('boolean')
  estimated: boolean;

  @Column('numeric', { name: 'detour_factor', precision: 4, scale: 2, nullable: true })
  detourFactor: string | null;

  @Column('text', { name: 'factor_source', nullable: true })
  factorSource: 'calibrated' | 'default' | null;

  @Column('boolean')
  cached: boolean;

  /** Every provider tried or skipped for this quote's route, with its outcome and time. */
  @Column('jsonb')
  attempts: RouteAttempt[];

  /** A label of the terms priced by (`version 3`); `tariffVersion` is the exact version. */
  @Column('text')
  tariff: string;

  /** Null only for quotes given before agencies had tariffs. */
  @Column('integer', { name: 'tariff_version', nullable: true })
  tariffVersion: number | null;

  /** The moment priced for (night, weather, holidays, peak, the version in force). */
  @Column('timestamptz', { name: 'priced_at' })
  pricedAt: Date;

  @Column('text', { name: 'distance_basis' })
  distanceBasis: 'route' | 'straight';

  @Column('integer')
  total: number;

  @Column('jsonb')
  items: FeeItem[];

  @Column('integer', { name: 'rider_pay', nullable: true })
  riderPay: number | null;

  @Column('jsonb', { name: 'rider_pay_items', nullable: true })
  riderPayItems: FeeItem[] | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
