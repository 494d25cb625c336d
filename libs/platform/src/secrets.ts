import { createHash, randomBytes } from 'node:crypto';

/**
 * A bearer secret: a readable prefix (`ak_` agency API key, `rt_` rider token, `os_` operator session, `oi_` operator invite) and 24 random bytes. Only its
 * hash is stored, so a leaked table does not leak working credentials; the secret is shown once.
 */
export function newSecret(prefix: 'ak_' | 'rt_' | 'os_' | 'oi_'): { secret: string; hash: string } {
  const secret = `${prefix}${randomBytes(24).toString('base64url')}`;
  return { secret, hash: hashSecret(secret) };
}

/** sha256 hex; the secrets are long and random, so no salt or slow hash is needed. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** The token of an `Authorization: Bearer <token>` header, if that is what it holds. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
}
