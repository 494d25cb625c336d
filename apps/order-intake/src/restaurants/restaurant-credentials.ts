import { createHash, randomBytes } from 'node:crypto';
import type { RestaurantEntity } from './restaurant.entity.js';

/** A Standard Webhooks secret: `whsec_` and the base64 of 32 random bytes (the HMAC key). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** A restaurant's API key for reading its orders: shown once, only its hash is stored. */
export function newApiKey(): string {
  return `rk_${randomBytes(24).toString('base64url')}`;
}

/** The stored form of an API key. Keys carry 192 random bits, so a plain sha256 suffices (no slow hash needed). */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex');
}

/** The webhook secrets that verify now: the current one, and the one a rotation replaced until its window ends. */
export function validWebhookSecrets(restaurant: Pick<RestaurantEntity, 'webhookSecret' | 'previousWebhookSecret' | 'previousWebhookSecretUntil'>, now = new Date()): string[] {
  const { webhookSecret, previousWebhookSecret, previousWebhookSecretUntil } = restaurant;
  return previousWebhookSecret && previousWebhookSecretUntil && previousWebhookSecretUntil > now ? [webhookSecret, previousWebhookSecret] : [webhookSecret];
}
