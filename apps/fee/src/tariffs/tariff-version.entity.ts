import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { Tariff } from './tariff.js';

/** One version of an agency's tariff, in force from `effectiveFrom` until a later version's. Never edited. */
@Entity({ schema: 'fee', name: 'tariff_versions' })
export class TariffVersionEntity {
  @PrimaryColumn('uuid', { name: 'agency_id' })
  agencyId: string;

  @PrimaryColumn('integer')
  version: number;

  @Column('timestamptz', { name: 'effective_from' })
  effectiveFrom: Date;

  @Column('jsonb')
  tariff: Tariff;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
