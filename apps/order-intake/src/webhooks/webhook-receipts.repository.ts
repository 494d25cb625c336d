import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/** An HTTP answer as it was given, to give again. */
export interface StoredAnswer {
  status: number;
  body: unknown;
}

export interface NewReceipt {
  restaurantId: string;
  webhookId: string;
  orderId: string;
  answer: StoredAnswer;
}

/** The first answer to each restaurant's webhook-id (`intake.webhook_receipts`). */
@Injectable()
export class WebhookReceiptsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(restaurantId: string, webhookId: string): Promise<StoredAnswer | null> {
    const rows: Array<{ status_code: number; response_body: unknown }> = await this.dataSource.query(
      'SELECT status_code, response_body FROM intake.webhook_receipts WHERE restaurant_id = $1 AND webhook_id = $2',
      [restaurantId, webhookId],
    );
    return rows.length === 0 ? null : { status: rows[0].status_code, body: rows[0].response_body };
  }

  async insert(manager: EntityManager, receipt: NewReceipt): Promise<StoredAnswer> {
    const rows: Array<{ status_code: number; response_body: unknown }> = await manager.query(
      `INSERT INTO intake.webhook_receipts (restaurant_id, webhook_id, status_code, response_body, order_id)
       VALUES ($1, $2, $3, $4::jsonb, $5) RETURNING status_code, response_body`,
      [receipt.restaurantId, receipt.webhookId, receipt.answer.status, JSON.stringify(receipt.answer.body), receipt.orderId],
    );
    return { status: rows[0].status_code, body: rows[0].response_body };
  }
}
