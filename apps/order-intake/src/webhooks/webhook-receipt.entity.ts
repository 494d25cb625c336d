import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The first answer given to a restaurant's webhook-id, replayed verbatim to its redeliveries. Only accepted
 * requests leave a receipt; a rejected one may be corrected and sent again under the same id.
 */
@Entity({ schema: 'intake', name: 'webhook_receipts' })
export class WebhookReceiptEntity {
  @PrimaryColumn('uuid', { name: 'restaurant_id', primaryKeyConstraintName: 'PK_intake_webhook_receipts' })
  restaurantId: string;

  @PrimaryColumn('text', { name: 'webhook_id', primaryKeyConstraintName: 'PK_intake_webhook_receipts' })
  webhookId: string;

  @Column('integer', { name: 'status_code' })
  statusCode: number;

  @Column('jsonb', { name: 'response_body' })
  responseBody: unknown;

  @Column('uuid', { name: 'order_id', nullable: true })
  orderId: string | null;

  @Index('IDX_intake_webhook_receipts_received_at')
  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;
}
