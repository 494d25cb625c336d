import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getFrom } from '../../../../test/support/from-address.js';
import { startDispatch, type DispatchHarness } from '../../test/dispatch-harness.js';

/**
 * Guessing agency API keys over HTTP, on an agency route (the riders list): each test's client plays its own
 * address of this machine's loopback range, so their counts do not meet.
 */
describe('agency API key guesses (component, real PostgreSQL)', () => {
  let h: DispatchHarness;

  beforeAll(async () => {
    h = await startDispatch({ env: { AUTH_FAILURES_PER_ADDRESS: '5' } });
  });

  afterAll(async () => {
    await h?.close();
  });

  const get = (agencyId: string, authorization: string | undefined, localAddress: string) =>
    getFrom(`${h.dispatchUrl}/v1/agencies/${agencyId}/riders`, localAddress, authorization ? { authorization } : {});

  it('answers 429 with Retry-After to an address past 5 unknown keys, even with the right key, and lets other addresses in', async () => {
    const { agencyId, apiKey } = await h.agency();
    const guesser = '127.0.0.4';
    for (let i = 0; i < 5; i++) expect((await get(agencyId, `Bearer ak_guess${i}`, guesser)).status).toBe(401);
    const refused = await get(agencyId, `Bearer ${apiKey}`, guesser);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'TOO_MANY_ATTEMPTS', details: { retryAfterSeconds: expect.any(Number) } });
    expect(Number(refused.retryAfter)).toBeGreaterThan(50);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
    expect((await get(agencyId, `Bearer ${apiKey}`, '127.0.0.5')).status).toBe(200);
  });

  it('counts neither requests without a key, nor valid keys (for this agency or another), as guesses', async () => {
    const mine = await h.agency();
    const other = await h.agency('다른 대행');
    const client = '127.0.0.6';
    for (let i = 0; i < 6; i++) {
      expect((await get(mine.agencyId, undefined, client)).status).toBe(401);
      expect((await get(mine.agencyId, `Bearer ${other.apiKey}`, client)).status).toBe(404);
      expect((await get(mine.agencyId, `Bearer ${mine.apiKey}`, client)).status).toBe(200);
    }
  });
});
