import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '#config';
import { DomainError, replacedCredentialMessage } from '#platform';
import { validWebhookSecrets } from '../restaurants/restaurant-credentials.js';
import type { RestaurantEntity } from '../restaurants/restaurant.entity.js';
import { assertEnabled, RestaurantsService } from '../restaurants/restaurants.service.js';
import { readRawBody } from './raw-body.js';
import { WebhookReceiptsRepository, type NewReceipt, type StoredAnswer } from './webhook-receipts.repository.js';
import { signedWithAny, verifyWebhook, type WebhookHeaders } from './webhook-signature.js';

export type { StoredAnswer };

/** A restaurant's webhook as received: its three signature headers and the exact bytes they sign. */
export interface SignedRequest {
  headers: WebhookHeaders;
  body: Buffer;
}

const header = (request: Request, name: string): string | undefined => {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
};

/** Reads a signed webhook: its headers, and its body as raw bytes (the signature covers them exactly). */
export async function readSignedRequest(request: Request, maxBodyBytes: number): Promise<SignedRequest> {
  const body = await readRawBody(request, maxBodyBytes);
  return { headers: { id: header(request, 'webhook-id'), timestamp: header(request, 'webhook-timestamp'), signature: header(request, 'webhook-signature') }, body };
}

/**
 * Every signed webhook a restaurant sends (orders, "ready", "delayed") is checked here the same way: the restaurant
 * it names, then the signature, then the timestamp, then that its agency has not disabled it; and its webhook-id is
 * its idempotency key, the first answer kept in `intake.webhook_receipts` for redeliveries.
 */
@Injectable()
export class SignedWebhooks {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly restaurants: RestaurantsService,
    private readonly receipts: WebhookReceiptsRepository,
  ) {}

  /**
   * The restaurant a webhook is addressed to and its verified webhook-id; otherwise the refusal to answer. During a
   * rotation's window the secret it replaced verifies too; after, a webhook signed only with it is told so.
   */
  async verify(restaurantId: string, request: SignedRequest): Promise<{ restaurant: RestaurantEntity; webhookId: string }> {
    const restaurant = await this.restaurants.forWebhook(restaurantId);
    const verified = verifyWebhook(validWebhookSecrets(restaurant), request.headers, request.body, { toleranceSeconds: this.config.intake.webhookToleranceSeconds });
    if (!verified.ok) {
      const replacedUntil = this.replacedSecretUsed(restaurant, request);
      throw replacedUntil
        ? new DomainError(verified.code, replacedCredentialMessage('webhook secret', replacedUntil), { replacedUntil: replacedUntil.toISOString() })
        : new DomainError(verified.code, verified.message);
    }
    // After the signature, so only the restaurant itself learns that it is disabled.
    assertEnabled(restaurant);
    return { restaurant, webhookId: verified.id };
  }

  /** When the replaced secret a webhook is signed with stopped working; undefined for any other signature. */
  private replacedSecretUsed(restaurant: RestaurantEntity, request: SignedRequest): Date | undefined {
    const { previousWebhookSecret: previous, previousWebhookSecretUntil: until } = restaurant;
    const { id, timestamp, signature } = request.headers;
    if (!previous || !until || !id || !signature || !/^\d{1,12}$/.test(timestamp ?? '')) return undefined;
    return signedWithAny([previous], signature, { id, timestamp: Number(timestamp), body: request.body }) ? until : undefined;
  }

  /** The first answer given to this webhook-id, if one was. */
  firstAnswer(restaurantId: string, webhookId: string): Promise<StoredAnswer | null> {
    return this.receipts.find(restaurantId, webhookId);
  }

  /**
   * Keeps the answer to a webhook-id inside the caller's transaction, and returns it as stored (jsonb orders keys
   * its own way, and replays must be byte-identical). A webhook-id seen before fails on its key.
   */
  keepAnswer(manager: EntityManager, receipt: NewReceipt): Promise<StoredAnswer> {
    return this.receipts.insert(manager, receipt);
  }
}
