import { describe, expect, it } from '@jest/globals';
import { signWebhook, verifyWebhook, webhookHeaders } from './webhook-signature.js';

/**
 * The expected signatures below were computed outside this code, with openssl; the key is the secret's
 * base64 part decoded to hex (here the bytes 0x00..0x1f):
 *
 *   printf '%s' 'msg_2N1o8e4kT0rQ.1763856000.{"externalOrderId":"A-1001","orderAmount":18000}' \
 *     | openssl dgst -sha256 -mac HMAC -macopt hexkey:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f -binary \
 *     | base64
 */
const SECRET = 'whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
const ID = 'msg_2N1o8e4kT0rQ';
const TIMESTAMP = 1763856000;
const BODY = '{"externalOrderId":"A-1001","orderAmount":18000}';
const EXPECTED = 'v1,IBpKShTqSOh9IqYwCrNIMu4aKqNSC1WhRBfmxioRVeY=';
/** Same key, id and time; the body holds Hangul, so it is signed as UTF-8 bytes. */
const KOREAN_BODY = '{"note":"문 앞에 놓아주세요"}';
const KOREAN_EXPECTED = 'v1,ZZs1aZTEr0jRd49xHPr5yQWvN5emZt6rUZmadKbOA+g=';

/** The Standard Webhooks specification's published example (also reproduced with openssl as above). */
const SPEC = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

const OTHER_SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
const tolerance = { toleranceSeconds: 300, nowSeconds: TIMESTAMP };
const headers = (signature: string, timestamp = String(TIMESTAMP), id = ID) => ({ id, timestamp, signature });

describe('signWebhook', () => {
  it('matches the signature computed independently with openssl', () => {
    expect(signWebhook(SECRET, { id: ID, timestamp: TIMESTAMP, body: BODY })).toBe(EXPECTED);
  });

  it('signs the UTF-8 bytes of the body, whether given as a string or a Buffer', () => {
    expect(signWebhook(SECRET, { id: ID, timestamp: TIMESTAMP, body: KOREAN_BODY })).toBe(KOREAN_EXPECTED);
    expect(signWebhook(SECRET, { id: ID, timestamp: TIMESTAMP, body: Buffer.from(KOREAN_BODY, 'utf8') })).toBe(KOREAN_EXPECTED);
  });

  it("reproduces the Standard Webhooks specification's example", () => {
    expect(signWebhook(SPEC.secret, SPEC)).toBe(SPEC.signature);
  });

  it('signs once per secret, space-separated, when given several (a rotation\'s overlap)', () => {
    const other = signWebhook(OTHER_SECRET, { id: ID, timestamp: TIMESTAMP, body: BODY });
    expect(webhookHeaders([SECRET, OTHER_SECRET], BODY, { id: ID, timestamp: TIMESTAMP })['webhook-signature']).toBe(`${EXPECTED} ${other}`);
  });

  it('builds all three headers', () => {
    expect(webhookHeaders(SECRET, BODY, { id: ID, timestamp: TIMESTAMP })).toEqual({
      'webhook-id': ID,
      'webhook-timestamp': String(TIMESTAMP),
      'webhook-signature': EXPECTED,
    });
  });
});

describe('verifyWebhook', () => {
  it('accepts the independently computed signature', () => {
    expect(verifyWebhook(SECRET, headers(EXPECTED), Buffer.from(BODY), tolerance)).toEqual({ ok: true, id: ID, timestamp: TIMESTAMP });
  });

  it("accepts the specification's example", () => {
    const sut = verifyWebhook(SPEC.secret, headers(SPEC.signature, String(SPEC.timestamp), SPEC.id), SPEC.body, {
      toleranceSeconds: 300,
      nowSeconds: SPEC.timestamp + 10,
    });
    expect(sut.ok).toBe(true);
  });

  it('accepts when any one of several v1 signatures is valid (secret rotation)', () => {
    const wrong = 'v1,' + Buffer.alloc(32, 1).toString('base64');
    expect(verifyWebhook(SECRET, headers(`${wrong} ${EXPECTED}`), BODY, tolerance).ok).toBe(true);
    expect(verifyWebhook(SECRET, headers(`${EXPECTED} ${wrong}`), BODY, tolerance).ok).toBe(true);
  });

  it('accepts a signature under any of several secrets, and none under none of them', () => {
    const other = signWebhook(OTHER_SECRET, { id: ID, timestamp: TIMESTAMP, body: BODY });
    expect(verifyWebhook([OTHER_SECRET, SECRET], headers(EXPECTED), BODY, tolerance).ok).toBe(true);
    expect(verifyWebhook([SECRET, OTHER_SECRET], headers(other), BODY, tolerance).ok).toBe(true);
    expect(verifyWebhook([SPEC.secret], headers(`${EXPECTED} ${other}`), BODY, tolerance)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    expect(verifyWebhook([], headers(EXPECTED), BODY, tolerance)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
  });

  it('ignores entries of other versions, even one carrying the right bytes', () => {
    const asV2 = EXPECTED.replace('v1,', 'v2,');
    expect(verifyWebhook(SECRET, headers(asV2), BODY, tolerance)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    expect(verifyWebhook(SECRET, headers(`${asV2} ${EXPECTED}`), BODY, tolerance).ok).toBe(true);
    expect(verifyWebhook(SECRET, headers(`v1a,xyz ${EXPECTED}`), BODY, tolerance).ok).toBe(true);
  });

  it('rejects a signature made with another secret', () => {
    const signature = signWebhook(OTHER_SECRET, { id: ID, timestamp: TIMESTAMP, body: BODY });
    expect(verifyWebhook(SECRET, headers(signature), BODY, tolerance)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
  });

  it('rejects a tampered body, id or timestamp', () => {
    expect(verifyWebhook(SECRET, headers(EXPECTED), BODY.replace('18000', '1800'), tolerance)).toMatchObject({ code: 'SIGNATURE_INVALID' });
    expect(verifyWebhook(SECRET, headers(EXPECTED), BODY + ' ', tolerance)).toMatchObject({ code: 'SIGNATURE_INVALID' });
    expect(verifyWebhook(SECRET, headers(EXPECTED, String(TIMESTAMP), 'msg_other'), BODY, tolerance)).toMatchObject({ code: 'SIGNATURE_INVALID' });
    expect(verifyWebhook(SECRET, headers(EXPECTED, String(TIMESTAMP + 1)), BODY, tolerance)).toMatchObject({ code: 'SIGNATURE_INVALID' });
  });

  it('accepts timestamps up to the tolerance in both directions', () => {
    for (const now of [TIMESTAMP - 300, TIMESTAMP + 300]) {
      expect(verifyWebhook(SECRET, headers(EXPECTED), BODY, { toleranceSeconds: 300, nowSeconds: now }).ok).toBe(true);
    }
  });

  it('rejects a correctly signed message whose timestamp is too old', () => {
    const sut = verifyWebhook(SECRET, headers(EXPECTED), BODY, { toleranceSeconds: 300, nowSeconds: TIMESTAMP + 301 });
    expect(sut).toMatchObject({ ok: false, code: 'TIMESTAMP_OUT_OF_TOLERANCE' });
  });

  it('rejects a correctly signed message whose timestamp is in the future', () => {
    const sut = verifyWebhook(SECRET, headers(EXPECTED), BODY, { toleranceSeconds: 300, nowSeconds: TIMESTAMP - 301 });
    expect(sut).toMatchObject({ ok: false, code: 'TIMESTAMP_OUT_OF_TOLERANCE' });
  });

  it('names the missing headers', () => {
    expect(verifyWebhook(SECRET, { id: ID, timestamp: String(TIMESTAMP) }, BODY, tolerance)).toEqual({
      ok: false,
      code: 'SIGNATURE_MISSING',
      message: 'missing header(s): webhook-signature',
    });
    expect(verifyWebhook(SECRET, {}, BODY, tolerance)).toMatchObject({
      code: 'SIGNATURE_MISSING',
      message: expect.stringContaining('webhook-id, webhook-timestamp, webhook-signature'),
    });
  });

  it.each([
    ['no version prefix', 'IBpKShTqSOh9IqYwCrNIMu4aKqNSC1WhRBfmxioRVeY='],
    ['an empty v1 entry', 'v1,'],
    ['a truncated signature', EXPECTED.slice(0, 20)],
    ['garbage', '!!! ,,, v1'],
  ])('rejects a malformed signature header: %s', (_, signature) => {
    expect(verifyWebhook(SECRET, headers(signature), BODY, tolerance)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
  });

  it.each([['1763856000.5'], ['-1763856000'], ['2025-11-23T00:00:00Z'], ['1763856000000000']])(
    'rejects a timestamp that is not unix seconds: %s',
    (timestamp) => {
      expect(verifyWebhook(SECRET, headers(EXPECTED, timestamp), BODY, tolerance)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    },
  );
});
