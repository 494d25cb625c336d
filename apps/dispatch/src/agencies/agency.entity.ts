import { Check, Column, CreateDateColumn, Entity, PrimaryColumn, Unique } from 'typeorm';

export const OFFER_POLICIES = ['sequential', 'broadcast'] as const;
/**
 * `sequential`: one rider at a time, the next when it declines or lets the offer lapse. `broadcast`: the best
 * few riders at once; the first to accept gets it and the others are told it was taken.
 */
export type OfferPolicy = (typeof OFFER_POLICIES)[number];

/** A delivery agency (배달대행): owns riders, and reads its board with an API key shown only once. */
@Entity({ schema: 'dispatch', name: 'agencies' })
@Unique('UQ_dispatch_agencies_api_key_hash', ['apiKeyHash'])
@Check('CHK_dispatch_agencies_offer_policy', `offer_policy IN ('sequential', 'broadcast')`)
@Check('CHK_dispatch_agencies_broadcast_size', `broadcast_size BETWEEN 1 AND 50`)
@Check('CHK_dispatch_agencies_offer_timeout', `offer_timeout_seconds > 0 AND offer_timeout_seconds <= 600`)
export class AgencyEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('text')
  name: string;

  /** sha256 hex of the API key. */
  @Column('text', { name: 'api_key_hash' })
  apiKeyHash: string;

  /** sha256 hex of the key the last rotation replaced, working until `previousApiKeyUntil`. */
  @Column('text', { name: 'previous_api_key_hash', nullable: true })
  previousApiKeyHash: string | null;

  @Column('timestamptz', { name: 'previous_api_key_until', nullable: true })
  previousApiKeyUntil: Date | null;

  /** How many times the key was rotated: orders the rotations fee and intake follow. */
  @Column('integer', { name: 'key_version', default: 0 })
  keyVersion: number;

  /** How deliveries are offered (null: DISPATCH_OFFER_POLICY); see `OfferPolicy`. */
  @Column('text', { name: 'offer_policy', nullable: true })
  offerPolicy: OfferPolicy | null;

  /** Riders a broadcast goes to at once (null: DISPATCH_BROADCAST_SIZE). */
  @Column('integer', { name: 'broadcast_size', nullable: true })
  broadcastSize: number | null;

  /** Seconds a rider has to answer an offer (null: OFFER_TIMEOUT_SECONDS). */
  @Column('double precision', { name: 'offer_timeout_seconds', nullable: true })
  offerTimeoutSeconds: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
