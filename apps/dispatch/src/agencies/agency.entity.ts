import { Column, CreateDateColumn, Entity, PrimaryColumn, Unique } from 'typeorm';

/** A delivery agency (배달대행): owns riders, and reads its board with an API key shown only once. */
@Entity({ schema: 'dispatch', name: 'agencies' })
@Unique('UQ_dispatch_agencies_api_key_hash', ['apiKeyHash'])
export class AgencyEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('text')
  name: string;

  /** sha256 hex of the API key. */
  @Column('text', { name: 'api_key_hash' })
  apiKeyHash: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
