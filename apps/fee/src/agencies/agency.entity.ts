import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The fee service's copy of an agency, from dispatch's `agency.registered`: enough to check its API key. */
@Entity({ schema: 'fee', name: 'agencies' })
export class AgencyEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('text')
  name: string;

  @Column('text', { name: 'api_key_hash' })
  apiKeyHash: string;

  @Column('timestamptz', { name: 'registered_at' })
  registeredAt: Date;
}
