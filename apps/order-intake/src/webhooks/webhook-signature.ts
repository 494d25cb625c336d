import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the signed content is
 * `{webhook-id}.{webhook-timestamp}.{raw body}`, the key is the base64 part of the `whsec_` secret, and
 * `webhook-signature` holds space-separated `v1,<base64 HMAC-SHA256>` entries. Both the service and the tools
 * that send orders use this module, so there is one implementation of the scheme.
 */

const SECRET_PREFIX = 'whsec_';
/**
 * A webhook-id is stored as the idempotency key and signed as text. Visible ASCII only: Node reads other header
 * bytes as Latin-1, so a sender signing their UTF-8 would never match, and NUL or controls cannot be stored.
 */
const WEBHOOK_ID = /^[\x21-\x7e]{1,256}$/;

export interface WebhookMessage {
  id: string;
  /** Unix seconds. */
  timestamp: number;
  /** The exact bytes sent. */
  body: string | Buffer;
}

/** The three headers as received; any may be missing. */
export interface WebhookHeaders {
  id?: string;
  timestamp?: string;
  signature?: string;
}

export type WebhookFailure = 'SIGNATURE_MISSING' | 'SIGNATURE_INVALID' | 'TIMESTAMP_OUT_OF_TOLERANCE';

export type WebhookVerification =
  | { ok: true; id: string; timestamp: number }
  | { ok: false; code: WebhookFailure; message: string };

function secretKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}

function hmac(key: Buffer, message: WebhookMessage): Buffer {
  return createHmac('sha256', key).update(`${message.id}.${message.timestamp}.`).update(message.body).digest();
}

/** The `webhook-signature` header value for a message: `v1,<base64 HMAC-SHA256>`. */
export function signWebhook(secret: string, message: WebhookMessage): string {
  return `v1,${hmac(secretKey(secret), message).toString('base64')}`;
}

/**
 * All three headers for a body, with a fresh `msg_` id and the current time unless given. Several secrets (during a
 * rotation's overlap) give one space-separated signature each, so a receiver holding either verifies.
 */
export function webhookHeaders(
  secret: string | readonly string[],
  body: string | Buffer,
  options: { id?: string; timestamp?: number } = {},
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const id = options.id ?? `msg_${randomUUID().replaceAll('-', '')}`;
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': (typeof secret === 'string' ? [secret] : secret).map((one) => signWebhook(one, { id, timestamp, body })).join(' '),
  };
}

/**
 * Checks a received webhook. Any one valid `v1` entry under any one of the secrets suffices (several secrets are
 * valid during a rotation's overlap); entries of other versions are ignored. The signature is checked before the
 * timestamp, so "out of tolerance" is only ever said to a sender holding the secret, whose clock is what needs fixing.
 */
export function verifyWebhook(
  secret: string | readonly string[],
  headers: WebhookHeaders,
  body: string | Buffer,
  options: { toleranceSeconds: number; nowSeconds?: number },
): WebhookVerification {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) {
    const missing = (['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const).filter(
      (_, i) => ![id, timestamp, signature][i],
    );
    return { ok: false, code: 'SIGNATURE_MISSING', message: `missing header(s): ${missing.join(', ')}` };
  }
  if (!WEBHOOK_ID.test(id)) {
    return { ok: false, code: 'SIGNATURE_INVALID', message: 'webhook-id must be 1 to 256 visible ASCII characters (no spaces)' };
  }
  if (!/^\d{1,12}$/.test(timestamp)) {
    return { ok: false, code: 'SIGNATURE_INVALID', message: 'webhook-timestamp must be unix seconds' };
  }
  const seconds = Number(timestamp);
  if (!signedWithAny(typeof secret === 'string' ? [secret] : secret, signature, { id, timestamp: seconds, body })) return { ok: false, code: 'SIGNATURE_INVALID', message: 'no valid v1 signature for this body' };

  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - seconds) > options.toleranceSeconds) {
    return {
      ok: false,
      code: 'TIMESTAMP_OUT_OF_TOLERANCE',
      message: `webhook-timestamp ${seconds} is ${now - seconds} s from the server's clock; at most ${options.toleranceSeconds} s allowed`,
    };
  }
  return { ok: true, id, timestamp: seconds };
}

/** Whether any `v1` entry of a `webhook-signature` value is the message's HMAC under any of the secrets. */
export function signedWithAny(secrets: readonly string[], signature: string, message: WebhookMessage): boolean {
  const given = signature
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => Buffer.from(entry.slice(3), 'base64'));
  let valid = false;
  for (const secret of secrets) {
    const expected = hmac(secretKey(secret), message);
    // timingSafeEqual throws on different lengths; the length of a correct HMAC is no secret.
    for (const entry of given) if (entry.length === expected.length && timingSafeEqual(entry, expected)) valid = true;
  }
  return valid;
}
