import { Module } from '@nestjs/common';
import { RestaurantsModule } from '../restaurants/restaurants.module.js';
import { SignedWebhooks } from './signed-webhooks.js';
import { WebhookReceiptsRepository } from './webhook-receipts.repository.js';

/** What every signed restaurant webhook shares: verification and idempotency by webhook-id. */
@Module({
  imports: [RestaurantsModule],
  providers: [SignedWebhooks, WebhookReceiptsRepository],
  exports: [SignedWebhooks, RestaurantsModule],
})
export class WebhooksModule {}
