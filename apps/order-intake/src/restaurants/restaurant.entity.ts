import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, Unique } from 'typeorm';

/** A restaurant that sends orders; its agency lives in dispatch, so only the agency's id is kept here. */
@Entity({ schema: 'intake', name: 'restaurants' })
@Unique('UQ_intake_restaurants_api_key_hash', ['apiKeyHash'])
export class RestaurantEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Index('IDX_intake_restaurants_agency_id')
  @Column('uuid', { name: 'agency_id' })
  agencyId: string;

  @Column('text')
  name: string;

  @Column('text')
  address: string;

  @Column('double precision')
  lng: number;

  @Column('double precision')
  lat: number;

  /** Kept retrievable: verifying an HMAC needs the key itself. */
  @Column('text', { name: 'webhook_secret' })
  webhookSecret: string;

  /** sha256 hex of the API key; the key itself is shown once and never stored. */
  @Column('text', { name: 'api_key_hash' })
  apiKeyHash: string;

  /** The secret the last rotation replaced, verifying until `previousWebhookSecretUntil` (kept after, to say why it fails). */
  @Column('text', { name: 'previous_webhook_secret', nullable: true })
  previousWebhookSecret: string | null;

  @Column('timestamptz', { name: 'previous_webhook_secret_until', nullable: true })
  previousWebhookSecretUntil: Date | null;

  /** sha256 hex of the API key the last rotation replaced, working until `previousApiKeyUntil`. */
  @Column('text', { name: 'previous_api_key_hash', nullable: true })
  previousApiKeyHash: string | null;

  @Column('timestamptz', { name: 'previous_api_key_until', nullable: true })
  previousApiKeyUntil: Date | null;

  /** Where signed status callbacks are sent; null: none are sent (nor queued). */
  @Column('text', { name: 'callback_url', nullable: true })
  callbackUrl: string | null;

  /** Minutes the kitchen usually needs: the ready time of an order sent without one; null: the system's default. */
  @Column('integer', { name: 'default_cooking_minutes', nullable: true })
  defaultCookingMinutes: number | null;

  /** Set while its agency has it disabled: its webhooks and API key are refused (RESTAURANT_DISABLED). */
  @Column('timestamptz', { name: 'disabled_at', nullable: true })
  disabledAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
