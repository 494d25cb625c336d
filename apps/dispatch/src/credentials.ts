import { createHash, randomBytes } from 'node:crypto';

/**
 * A bearer secret: a readable prefix (`ak_` agency API key, `rt_` rider token) and 24 random bytes. Only its
 * hash is stored, so a leaked table does not leak working credentials; the secret is shown once.
 */
export function newSecret(prefix: 'ak_' | 'rt_'): { secret: string; hash: string } {
  const secret = `${prefix}${randomBytes(24).toString('base64url')}`;
  return { secret, hash: hashSecret(secret) };
}

/** sha256 hex; the secrets are long and random, so no salt or slow hash is needed. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}
