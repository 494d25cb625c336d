import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { Restaurant } from '../support/actors.js';
import { describeInBrowser, launchBrowser, saveScreenshot, signInOnDashboard, TEST_TILES_ENV, visible } from '../support/browser.js';
import { call, signedInOperator, type SignedInOperator } from '../support/operators.js';
import { eventually, startStack, type Stack, type Tenants } from '../support/stack.js';

const WAUSAN_94 = { address: '서울특별시 마포구 와우산로 94', lng: 126.9237, lat: 37.5509 };
const WAUSAN_21 = { address: '서울특별시 마포구 와우산로 21', lng: 126.9224, lat: 37.5487 };
const SAMIL = { address: '서울특별시 종로구 삼일대로 428', lng: 126.988, lat: 37.5714 };
/** The page's own errors, without the tile requests the test makes fail on purpose. */
const unexpected = (errors: string[]) => errors.filter((e) => !e.includes('Failed to load resource: net::ERR_FAILED'));

/**
 * The agency's office for a whole day, in Chromium against the whole stack: the owner registers a restaurant (its
 * keys shown once), disables and enables it while it sends orders; the board is searched by a piece of an address
 * and by status, and its CSV export carries exactly what the filters show.
 */
describeInBrowser('restaurants and the board for a whole day on the dashboard (system, Chromium)', () => {
  let stack: Stack;
  let tenants: Tenants;
  let browser: Browser;
  let owner: SignedInOperator;

  const api = (method: string, path: string, body?: unknown) => call(stack.url('dispatch'), method, `/v1/agencies/${tenants.agency.agencyId}${path}`, owner.token, body);
  const deliveryOf = (orderId: string) =>
    eventually(async () => {
      const board = await api('GET', '/deliveries?limit=200');
      return (board.body.deliveries as Array<{ id: string; orderId: string }>).find((d) => d.orderId === orderId);
    }, `the delivery of order ${orderId}`, 30_000);
  const card = (page: Page, deliveryId: string) => page.getByRole('article', { name: `배달 ${deliveryId.slice(0, 8)}` });
  const cards = (page: Page) => page.locator('.board article');

  const signIn = () => signInOnDashboard(browser, stack.url('dispatch'), owner, 'fail');

  beforeAll(async () => {
    stack = await startStack({ transport: 'tcp', env: { ...TEST_TILES_ENV } });
    tenants = await stack.tenants('하루 대행', ['종일 라이더']);
    owner = await signedInOperator(stack.url('dispatch'), tenants.agency, 'owner');
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('registers a restaurant with its keys shown once, edits it, disables it (its signed orders refused) and enables it again', async () => {
    const { page, errors } = await signIn();
    await page.getByRole('tab', { name: '식당 관리' }).click();
    await visible(page.getByRole('row', { name: /^식당 관리 테스트 식당/ }), 'the tenant restaurant listed', errors);
    const form = page.getByRole('form', { name: '식당 등록' });
    await form.getByLabel('식당 이름').fill('하루 분식');
    await form.getByLabel('식당 주소').fill('서울특별시 중구 세종대로 110');
    await form.getByLabel('경도').fill('126.9785');
    await form.getByLabel('위도').fill('37.5665');
    await form.getByLabel('조리 시간 (분)').fill('12');
    await form.getByRole('button', { name: '식당 등록' }).click();

    const secretBox = page.getByRole('status', { name: '웹훅 시크릿' });
    await visible(secretBox, 'the webhook secret shown', errors);
    const webhookSecret = (await secretBox.locator('.secret').textContent())!;
    const apiKey = (await page.getByRole('status', { name: '식당 API 키' }).locator('.secret').textContent())!;
    expect(webhookSecret).toMatch(/^whsec_/);
    expect(apiKey).toMatch(/^rk_/);
    await expect(page.getByRole('status', { name: '식당 API 키' }).textContent()).resolves.toContain('다시 볼 수 없');
    await saveScreenshot(page, 'board-day-restaurant-created');

    const listed = await api('GET', '/restaurants');
    const made = (listed.body.restaurants as Array<{ id: string; name: string; defaultCookingMinutes: number | null; disabled: boolean }>).find((r) => r.name === '하루 분식')!;
    expect(made).toMatchObject({ defaultCookingMinutes: 12, disabled: false });
    expect(JSON.stringify(listed.body)).not.toContain(webhookSecret);
    const pos = new Restaurant(stack.url('intake'), { restaurantId: made.id, webhookSecret, apiKey });
    expect((await pos.send()).status).toBe(202);

    // Edited in place: the cooking time.
    const row = page.getByRole('row', { name: '식당 관리 하루 분식' });
    await row.getByLabel('하루 분식 조리 시간 (분)').fill('20');
    await row.getByRole('button', { name: '저장' }).click();
    await eventually(async () => {
      const again = await api('GET', '/restaurants');
      return again.body.restaurants.find((r: { id: string; defaultCookingMinutes: number }) => r.id === made.id && r.defaultCookingMinutes === 20);
    }, 'the cooking time changed', 15_000);

    await row.getByRole('button', { name: '사용 중지' }).click();
    await eventually(async () => ((await row.getByLabel('하루 분식 상태').textContent()) === '사용 중지' ? true : undefined), 'the restaurant shown disabled', 15_000);
    const refused = await pos.send();
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'RESTAURANT_DISABLED' } } });

    await row.getByRole('button', { name: '다시 사용' }).click();
    await eventually(async () => ((await row.getByLabel('하루 분식 상태').textContent()) === '사용 중' ? true : undefined), 'the restaurant shown enabled', 15_000);
    expect((await pos.send()).status).toBe(202);

    // The keys were shown once: leaving the screen forgets them, and nothing shows them again.
    await page.getByRole('tab', { name: '배차 현황' }).click();
    await page.getByRole('tab', { name: '식당 관리' }).click();
    await visible(row, 'the restaurant listed again', errors);
    await expect(page.getByRole('status', { name: '웹훅 시크릿' }).count()).resolves.toBe(0);
    await expect(page.locator('body').textContent()).resolves.not.toContain(webhookSecret);

    await eventually(async () => ((await api('GET', '/audit-log?action=restaurant.disabled')).body.entries.length === 1 ? true : undefined), 'the disable audited', 15_000);
    expect(unexpected(errors)).toEqual([]);
  }, 120_000);

  it('searches the board by a piece of an address and by status, exports just that, and says when the filters are refused', async () => {
    const sent = [];
    for (const dropoff of [WAUSAN_94, WAUSAN_21, SAMIL]) {
      const response = await tenants.restaurant.send({ dropoff });
      expect(response.status).toBe(202);
      sent.push(response.body.orderId);
    }
    const [kept, cancelled, elsewhere] = await Promise.all(sent.map(deliveryOf));
    expect((await api('POST', `/deliveries/${cancelled.id}/cancel`)).status).toBe(200);

    const { page, errors } = await signIn();
    await visible(card(page, elsewhere.id), 'every delivery on the unfiltered board', errors);
    const filters = page.getByRole('form', { name: '배달 검색' });

    await filters.getByLabel('검색').fill('와우산로');
    await filters.getByRole('button', { name: '적용' }).click();
    await eventually(async () => ((await cards(page).count()) === 2 ? true : undefined), 'only the two deliveries to 와우산로', 15_000);
    await visible(card(page, kept.id), 'the waiting one to 와우산로', errors);
    await visible(card(page, cancelled.id), 'the cancelled one to 와우산로', errors);

    await filters.getByLabel('상태').selectOption('cancelled');
    await filters.getByRole('button', { name: '적용' }).click();
    await eventually(async () => ((await cards(page).count()) === 1 ? true : undefined), 'only the cancelled delivery to 와우산로', 15_000);
    await visible(card(page, cancelled.id), 'the cancelled delivery', errors);
    await saveScreenshot(page, 'board-day-filtered');

    // The export takes the same filters: the header and the one delivery shown.
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), page.getByRole('button', { name: 'CSV 내려받기' }).click()]);
    const csv = (await readFile((await download.path())!)).toString('utf8').replace(/^\uFEFF/, '');
    const lines = csv.split('\r\n').filter((line) => line !== '');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^배달 ID,/);
    expect(lines[1]).toContain(cancelled.id);
    expect(lines[1]).toContain('cancelled');
    expect(csv).not.toContain(kept.id);
    expect(csv).not.toContain(elsewhere.id);

    // A time range ending before it starts: the server's refusal beside the filters, the board as it was.
    await filters.getByLabel('접수 부터').fill('2026-12-06T10:00');
    await filters.getByLabel('접수 까지').fill('2026-12-06T09:00');
    await filters.getByRole('button', { name: '적용' }).click();
    const refusal = filters.getByRole('alert');
    await visible(refusal, 'the refused time range said beside the filters', errors);
    await expect(refusal.textContent()).resolves.toContain('must be after from');
    await expect(card(page, cancelled.id).isVisible()).resolves.toBe(true);
    await expect(page.getByText('배차 서버 응답 없음').count()).resolves.toBe(0);

    await filters.getByRole('button', { name: '초기화' }).click();
    await visible(card(page, elsewhere.id), 'every delivery again after the reset', errors);
    await expect(filters.getByRole('alert').count()).resolves.toBe(0);
    expect(unexpected(errors).filter((e) => !e.includes('400'))).toEqual([]);
  }, 120_000);
});
