import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import { getFrom } from '../../../../test/support/from-address.js';
import { startIntake, type IntakeHarness } from '../../test/intake-harness.js';

/**
 * Guessing restaurant API keys, on the routes a restaurant reads with its key (its callback settings, one of its
 * orders): each test's client plays its own address of this machine's loopback range, so their counts do not meet.
 */
describe('restaurant API key guesses (component, real PostgreSQL)', () => {
  let h: IntakeHarness;
  let base: string;

  beforeAll(async () => {
    h = await startIntake({ AUTH_FAILURES_PER_ADDRESS: '5' });
    base = `http://127.0.0.1:${(h.app.getHttpServer().address() as AddressInfo).port}/v1/restaurants/${h.restaurant.restaurantId}`;
  });

  afterAll(async () => {
    await h?.close();
  });

  it('answers 429 with Retry-After to an address past 5 unknown keys, whichever route they tried, and lets other addresses in', async () => {
    const guesser = '127.0.0.14';
    for (let i = 0; i < 3; i++) expect((await getFrom(`${base}/callback`, guesser, { authorization: `Bearer rk_guess${i}` })).status).toBe(401);
    for (let i = 3; i < 5; i++) expect((await getFrom(`${base}/orders/${crypto.randomUUID()}`, guesser, { authorization: `Bearer rk_guess${i}` })).status).toBe(401);

    const refused = await getFrom(`${base}/callback`, guesser, { authorization: `Bearer ${h.restaurant.apiKey}` });
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'TOO_MANY_ATTEMPTS', details: { retryAfterSeconds: expect.any(Number) } });
    expect(Number(refused.retryAfter)).toBeGreaterThan(50);
    expect((await getFrom(`${base}/callback`, '127.0.0.15', { authorization: `Bearer ${h.restaurant.apiKey}` })).status).toBe(200);
  });

  it('counts neither requests without a key nor the right key as guesses', async () => {
    const client = '127.0.0.16';
    for (let i = 0; i < 6; i++) {
      expect((await getFrom(`${base}/callback`, client)).status).toBe(401);
      expect((await getFrom(`${base}/callback`, client, { authorization: `Bearer ${h.restaurant.apiKey}` })).status).toBe(200);
    }
  });
});
