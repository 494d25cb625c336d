import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { describeInBrowser, launchBrowser, saveScreenshot, signInOnDashboard, TEST_TILES_ENV, visible } from '../support/browser.js';
import { call, signedInOperator, type SignedInOperator } from '../support/operators.js';
import { eventually, startStack, type Stack, type Tenants } from '../support/stack.js';

/** The page's own errors, without the map tiles the test makes fail on purpose. */
const unexpected = (errors: string[]) => errors.filter((e) => !e.includes('Failed to load resource: net::ERR_FAILED'));

/**
 * A restaurant's webhook secret rotated on the dashboard's 키 교체 screen, in Chromium against the whole stack,
 * while the restaurant's POS keeps signing with the old one. The overlap window is a few seconds (the screen's
 * overlap in hours takes fractions), so the clock closes it while the test watches: the old secret's orders are
 * taken until then and refused after, saying why; the new secret's are taken throughout; the screen shows when the
 * old one stops, then that it stopped. Dispatchers and viewers get no rotation, and the API refuses them.
 */
describeInBrowser('rotating credentials on the dashboard (system, Chromium)', () => {
  let stack: Stack;
  let tenants: Tenants;
  let browser: Browser;
  const people: Partial<Record<'owner' | 'dispatcher' | 'viewer', SignedInOperator>> = {};

  const api = (method: string, path: string, token: string, body?: unknown) => call(stack.url('dispatch'), method, `/v1/agencies/${tenants.agency.agencyId}${path}`, token, body);
  const onBoard = (orderId: string) =>
    eventually(async () => {
      const board = await api('GET', '/deliveries?limit=200', tenants.agency.apiKey);
      return (board.body.deliveries as Array<{ orderId: string }>).some((d) => d.orderId === orderId) ? true : undefined;
    }, `order ${orderId} on the board`, 30_000);

  beforeAll(async () => {
    stack = await startStack({ transport: 'tcp', env: { ...TEST_TILES_ENV } });
    tenants = await stack.tenants('키 교체 대행', ['키 라이더']);
    for (const role of ['owner', 'dispatcher', 'viewer'] as const) people[role] = await signedInOperator(stack.url('dispatch'), tenants.agency, role);
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("an owner rotates the webhook secret with a short window: the old secret's orders are taken until it closes, then refused saying why; the new one's throughout", async () => {
    const oldPos = tenants.restaurant;
    const { page, errors } = await signInOnDashboard(browser, stack.url('dispatch'), people.owner!, 'fail');
    await page.getByRole('tab', { name: '키 교체' }).click();
    // 0.005 h: 18 seconds.
    await page.getByLabel('이전 키 사용 기간 (시간)').fill('0.005');
    await page.getByRole('row', { name: /^키 교체 테스트 식당/ }).getByRole('button', { name: '웹훅 시크릿 교체' }).click();
    const confirm = page.getByRole('alertdialog', { name: '키 교체 확인' });
    await expect(confirm.textContent()).resolves.toContain('0.005시간 뒤 중지됩니다');
    await confirm.getByRole('button', { name: '교체 확정' }).click();

    const shown = page.getByRole('status', { name: '새 웹훅 시크릿' });
    await visible(shown, 'the new webhook secret shown', errors);
    const secret = (await shown.locator('.secret').textContent())!;
    expect(secret).toMatch(/^whsec_/);
    const previous = page.getByLabel('이전 웹훅 시크릿');
    const until = (await previous.locator('time').getAttribute('datetime'))!;
    await expect(previous.textContent()).resolves.toMatch(/까지 사용 가능$/);
    // The restaurant reads the same end with its own key.
    expect(await oldPos.credentialState()).toMatchObject({ webhookSecret: { previousValidUntil: until, previousValid: true } });
    await saveScreenshot(page, 'credential-rotation-shown-once');

    // The POS has not switched: its orders keep being taken, beside the new secret's, until the window closes. A
    // pair of orders a second, as a busy restaurant might send.
    const newPos = oldPos.withWebhookSecret(secret);
    const taken: string[] = [];
    const refused = await eventually(
      async () => {
        const fresh = await newPos.send();
        expect(fresh.status).toBe(202);
        const old = await oldPos.send();
        if (old.status !== 202) return old;
        taken.push(old.body.orderId);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        return undefined;
      },
      'the old secret refused once its window closed',
      60_000,
    );
    expect(taken.length).toBeGreaterThan(0);
    expect(refused).toMatchObject({
      status: 401,
      body: { error: { code: 'SIGNATURE_INVALID', message: `this webhook secret was replaced and stopped working at ${until}: use the new one`, details: { replacedUntil: until } } },
    });
    await onBoard(taken.at(-1)!);
    const after = await newPos.send();
    expect(after.status).toBe(202);
    await onBoard(after.body.orderId);
    expect((await oldPos.send()).status).toBe(401);

    // The screen turns by itself to say the old secret stopped, and the restaurant reads the same.
    await eventually(async () => ((await previous.textContent())?.endsWith('에 중지됨') ? true : undefined), 'the screen saying the old secret stopped', 15_000);
    expect(await oldPos.credentialState()).toMatchObject({ webhookSecret: { previousValidUntil: until, previousValid: false } });
    const log = await api('GET', '/audit-log?action=key.rotated', people.owner!.token);
    expect(log.body.entries).toEqual([expect.objectContaining({ actor: `owner 김 <${people.owner!.email}>`, subject: oldPos.restaurantId, details: { credential: 'webhook-secret', previousValidUntil: until } })]);
    await saveScreenshot(page, 'credential-rotation-stopped');
    expect(unexpected(errors)).toEqual([]);
  }, 120_000);

  it('gives a dispatcher and a viewer no rotation, and the API refuses them', async () => {
    const restaurantId = tenants.restaurant.restaurantId;
    const riderId = tenants.riders[0]!.riderId;
    for (const role of ['dispatcher', 'viewer'] as const) {
      const { page, errors } = await signInOnDashboard(browser, stack.url('dispatch'), people[role]!, 'fail');
      await visible(page.getByRole('tab', { name: '식당 관리' }), `the ${role}'s tabs`, errors);
      await expect(page.getByRole('tab', { name: '키 교체' }).count()).resolves.toBe(0);
      await page.getByRole('tab', { name: '식당 관리' }).click();
      await visible(page.getByRole('row', { name: /^식당 관리 테스트 식당/ }), `the restaurant on the ${role}'s screen`, errors);
      await expect(page.getByRole('button', { name: /교체/ }).count()).resolves.toBe(0);
      for (const path of [`/restaurants/${restaurantId}/webhook-secret/rotate`, `/restaurants/${restaurantId}/api-key/rotate`, '/api-key/rotate', `/riders/${riderId}/token/rotate`]) {
        const answer = await api('POST', path, people[role]!.token, { overlapHours: 1 });
        expect(answer).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN', details: { role, required: 'owner' } } } });
      }
      expect(unexpected(errors)).toEqual([]);
      await page.context().close();
    }
    const log = await api('GET', '/audit-log?action=key.rotated', people.owner!.token);
    expect(log.body.entries.filter((e: { actor: string }) => !e.actor.startsWith('owner'))).toEqual([]);
  }, 120_000);
});
