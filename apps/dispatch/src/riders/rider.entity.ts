import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, Unique } from 'typeorm';

/**
 * A rider of one agency. Its presence lives in memory (RiderPresenceStore); its last position is also written,
 * in batches, to `dispatch.rider_positions` (raw SQL in RiderPositionsRepository, no entity).
 */
@Entity({ schema: 'dispatch', name: 'riders' })
@Unique('UQ_dispatch_riders_token_hash', ['tokenHash'])
@Check('CHK_dispatch_riders_capacity', 'capacity > 0')
export class RiderEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Index('IDX_dispatch_riders_agency_id')
  @Column('uuid', { name: 'agency_id' })
  agencyId: string;

  @Column('text')
  name: string;

  /** sha256 hex of the rider's socket token. */
  @Column('text', { name: 'token_hash' })
  tokenHash: string;

  /** sha256 hex of the token the last rotation replaced, working until `previousTokenUntil`. */
  @Column('text', { name: 'previous_token_hash', nullable: true })
  previousTokenHash: string | null;

  @Column('timestamptz', { name: 'previous_token_until', nullable: true })
  previousTokenUntil: Date | null;

  /** How many deliveries the rider carries at once (assigned or picked up). */
  @Column('integer', { default: 3 })
  capacity: number;

  /** Set while the agency has disabled the rider: its token is refused until it is enabled again. */
  @Column('timestamptz', { name: 'disabled_at', nullable: true })
  disabledAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
