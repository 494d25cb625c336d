import { createHash, randomBytes } from 'node:crypto';

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
