import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { call } from './support/operators.js';
import { eventually, startStack, type Stack, type Tenants } from './support/stack.js';

/**
 * A restaurant's webhook secret rotated by its agency while the restaurant's POS keeps signing with the old one,
 * through the three built services: the old secret's orders are taken during the overlap window and reach the
 * board, the restaurant can see when it stops working, and once the window has closed they are refused saying
 * why while the new secret's are taken. The window's end is moved in the database, as the clock would move it.
 */
describe('a webhook secret rotated while the restaurant keeps sending with the old one (system)', () => {
  let stack: Stack;
  let tenants: Tenants;

  const board = async () => {
    const answer = await call(stack.url('dispatch'), 'GET', `/v1/agencies/${tenants.agency.agencyId}/deliveries?limit=200`, tenants.agency.apiKey);
    return answer.body.deliveries as Array<{ orderId: string }>;
  };

  beforeAll(async () => {
    stack = await startStack({ transport: 'tcp' });
    tenants = await stack.tenants('비밀 교체 대행', []);
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('takes the old secret during the window, refuses it with the reason after, and takes the new one', async () => {
    const oldPos = tenants.restaurant;
    const before = await oldPos.send();
    expect(before.status).toBe(202);

    const rotated = await call(
      stack.url('dispatch'),
      'POST',
      `/v1/agencies/${tenants.agency.agencyId}/restaurants/${oldPos.restaurantId}/webhook-secret/rotate`,
      tenants.agency.apiKey,
      { overlapHours: 2 },
    );
    expect(rotated).toMatchObject({ status: 200, body: { credential: 'webhook-secret', id: oldPos.restaurantId, secret: expect.stringMatching(/^whsec_/), previousValidUntil: expect.any(String) } });
    const newPos = oldPos.withWebhookSecret(rotated.body.secret as string);

    // The POS has not switched yet: its orders are still taken, and reach dispatch like any other.
    const during = await oldPos.send();
    expect(during.status).toBe(202);
    expect((await newPos.send()).status).toBe(202);
    await eventually(async () => ((await board()).some((d) => d.orderId === during.body.orderId) ? true : undefined), 'the order signed with the old secret on the board', 60_000);
    expect(await oldPos.credentialState()).toMatchObject({ webhookSecret: { rotatedAt: rotated.body.rotatedAt, previousValidUntil: rotated.body.previousValidUntil, previousValid: true } });

    await stack.databases.intake.query(`UPDATE intake.restaurants SET previous_webhook_secret_until = now() - interval '1 second' WHERE id = $1`, [oldPos.restaurantId]);
    // Intake may remember the restaurant for a moment: the refusal is waited for, not assumed.
    const refused = await eventually(
      async () => {
        const answer = await oldPos.send();
        return answer.status === 401 ? answer : undefined;
      },
      'the old secret refused once its window closed',
      60_000,
    );
    expect(refused.body).toMatchObject({ error: { code: 'SIGNATURE_INVALID', message: expect.stringMatching(/^this webhook secret was replaced and stopped working at .+: use the new one$/) } });
    expect(await oldPos.credentialState()).toMatchObject({ webhookSecret: { previousValid: false } });

    const after = await newPos.send();
    expect(after.status).toBe(202);
    await eventually(async () => ((await board()).some((d) => d.orderId === after.body.orderId) ? true : undefined), 'the order signed with the new secret on the board', 60_000);
    expect((await oldPos.send()).status).toBe(401);
  });
});
