import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { provisionRider } from '../../apps/dispatch/src/riders/riders.provisioning.js';
import { Rider } from '../support/actors.js';
import { describeInBrowser, launchBrowser, pageErrors, routeTiles, saveScreenshot, TEST_TILES_ENV } from '../support/browser.js';
import { eventually, startStack, type Stack, type Tenants } from '../support/stack.js';

/** About 9 km from the restaurant at City Hall: beyond the 5 km pickup reach, so only a hand can dispatch to it. */
const GANGNAM = { lng: 127.0276, lat: 37.4979 };

describeInBrowser('agency dashboard (/agency) in Chromium, against the whole stack', () => {
  let stack: Stack;
  let tenants: Tenants;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const riders: Rider[] = [];

  beforeAll(async () => {
    // A delivery nobody can take is flagged for manual dispatch after 2 s rather than 5 minutes.
    stack = await startStack({ transport: 'tcp', env: { DISPATCH_MANUAL_AFTER_SECONDS: '2', ...TEST_TILES_ENV } });
    tenants = await stack.tenants('대시보드 대행', ['김배달', '이배달']);
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'ko-KR', timezoneId: 'Asia/Seoul' });
    // No tiles: the map is the plain drawing this spec reads marker by marker.
    await routeTiles(context, 'fail');
    page = await context.newPage();
    errors = pageErrors(page);
  }, 120_000);

  afterAll(async () => {
    riders.forEach((r) => r.disconnect());
    await browser?.close();
    await stack?.stop();
  });

  /** The delivery the board shows for an order, read with the agency's key as the dashboard does. */
  const deliveryOf = (orderId: string) =>
    eventually(async () => {
      const response = await fetch(`${stack.url('dispatch')}/v1/agencies/${tenants.agency.agencyId}/deliveries`, {
        headers: { authorization: `Bearer ${tenants.agency.apiKey}` },
      });
      const { deliveries } = (await response.json()) as { deliveries: Array<{ id: string; orderId: string }> };
      return deliveries.find((d) => d.orderId === orderId);
    }, `the delivery of order ${orderId}`);
  const column = (label: string) => page.getByRole('region', { name: new RegExp(`^${label} \\d+건$`) });
  const card = (deliveryId: string) => page.getByRole('article', { name: `배달 ${deliveryId.slice(0, 8)}` });

  it('signs in with the agency key, kept for this tab only', async () => {
    await page.goto(`${stack.url('dispatch')}/agency`);
    await page.getByLabel('API 키').fill('ak_wrong');
    await page.getByLabel('대행사 ID').fill(tenants.agency.agencyId);
    await page.getByRole('button', { name: 'API 키로 로그인' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('UNAUTHENTICATED');

    await page.getByLabel('API 키').fill(tenants.agency.apiKey);
    await page.getByRole('button', { name: 'API 키로 로그인' }).click();
    await page.getByRole('heading', { name: '배차 현황' }).waitFor();
    // Runs in the page, where the storages exist (this file is type-checked without the DOM's types).
    const stored = await page.evaluate(() => {
      const storages = globalThis as unknown as Record<'sessionStorage' | 'localStorage', Record<string, string>>;
      return { session: Object.values(storages.sessionStorage).join(), local: Object.values(storages.localStorage).join() };
    });
    expect(stored.session).toContain(tenants.agency.apiKey);
    expect(stored.local).not.toContain(tenants.agency.apiKey);
  });

  it('shows a waiting delivery with its alert, assigns it by hand to the rider picked from the list, and moves it to another', async () => {
    const [riderAccount] = tenants.riders;
    const rider = await Rider.connect(stack.url('dispatch'), riderAccount.token);
    riders.push(rider);
    await expect(rider.ask('location', GANGNAM)).resolves.toMatchObject({ ok: true });
    const riderRow = page.getByRole('row', { name: '라이더 김배달' });
    await expect(riderRow.textContent()).resolves.toBeDefined();
    await eventually(async () => ((await riderRow.textContent())?.includes('운행 중') ? true : undefined), 'the rider online in the riders table');
    expect(await riderRow.textContent()).toContain('0/3');

    const sent = await tenants.restaurant.send({ cookingMinutes: 20, promisedMinutes: 50 });
    expect(sent.status).toBe(202);
    const delivery = await deliveryOf(sent.body.orderId);
    await column('대기').getByRole('article', { name: `배달 ${delivery.id.slice(0, 8)}` }).waitFor({ timeout: 15_000 });
    await expect(card(delivery.id).getByLabel('조리 완료 시각').textContent()).resolves.toMatch(/^\d{2}:\d{2} 준비 \((19|20)분 후\)$/);
    await expect(card(delivery.id).getByLabel('도착 약속 시각').textContent()).resolves.toMatch(/^\d{2}:\d{2}까지$/);
    await card(delivery.id).getByText('수동 배차 필요').waitFor({ timeout: 15_000 });
    await expect(page.getByRole('status', { name: '경고' }).textContent()).resolves.toContain('1건');
    // The map draws the rider, the pickup and the drop-off from coordinates alone.
    await page.getByRole('img', { name: '라이더 김배달' }).waitFor();
    await page.getByRole('img', { name: `픽업 테스트 식당 #${delivery.id.slice(0, 8)}` }).waitFor();
    await page.getByRole('img', { name: `도착 #${delivery.id.slice(0, 8)}` }).waitFor();
    await saveScreenshot(page, 'agency-board-waiting');

    await card(delivery.id).getByLabel('라이더 선택').selectOption(riderAccount.riderId);
    await card(delivery.id).getByRole('button', { name: '배차', exact: true }).click();
    await column('배정').getByRole('article', { name: `배달 ${delivery.id.slice(0, 8)}` }).waitFor({ timeout: 10_000 });
    await expect(card(delivery.id).textContent()).resolves.toContain('김배달 (수동)');
    await eventually(async () => rider.events<{ id: string; status: string }>('delivery:assigned').find((e) => e.id === delivery.id && e.status === 'assigned'), 'the rider told of the assignment');
    await eventually(async () => ((await riderRow.textContent())?.includes('1/3') ? true : undefined), 'the rider carrying one delivery');
    await saveScreenshot(page, 'agency-board-assigned');

    // Moved to another rider (offline riders may be given deliveries by hand): the first is told to drop it.
    const other = tenants.riders[1];
    await card(delivery.id).getByLabel('라이더 선택').selectOption(other.riderId);
    await card(delivery.id).getByRole('button', { name: '재배차' }).click();
    await eventually(async () => ((await card(delivery.id).textContent())?.includes('이배달 (수동)') ? true : undefined), 'the card naming the new rider');
    await eventually(async () => rider.events<{ deliveryId: string }>('delivery:unassigned').find((e) => e.deliveryId === delivery.id), 'the first rider told to drop it');
    await eventually(async () => ((await riderRow.textContent())?.includes('0/3') ? true : undefined), 'the first rider free again');
    expect(await page.getByRole('row', { name: '라이더 이배달' }).textContent()).toContain('1/3');
  });

  it("shows the server's refusal (RIDER_AT_CAPACITY) on the card, and cancels only once confirmed", async () => {
    const full = await provisionRider(stack.databases.dispatch, { agencyId: tenants.agency.agencyId, name: '한자리 라이더', capacity: 1 });
    const first = await deliveryOf((await tenants.restaurant.send()).body.orderId);
    const second = await deliveryOf((await tenants.restaurant.send()).body.orderId);
    const assigned = await fetch(`${stack.url('dispatch')}/v1/agencies/${tenants.agency.agencyId}/deliveries/${first.id}/assign`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenants.agency.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ riderId: full.riderId }),
    });
    expect(assigned.status).toBe(200);

    const waiting = column('대기').getByRole('article', { name: `배달 ${second.id.slice(0, 8)}` });
    await waiting.waitFor({ timeout: 15_000 });
    await waiting.getByLabel('라이더 선택').selectOption(full.riderId);
    await waiting.getByRole('button', { name: '배차', exact: true }).click();
    const refusal = await waiting.getByRole('alert').textContent();
    expect(refusal).toContain('라이더가 더 받을 수 없습니다 (RIDER_AT_CAPACITY: 1/1)');

    await waiting.getByRole('button', { name: '주문 취소' }).click();
    const dialog = page.getByRole('alertdialog', { name: '주문 취소 확인' });
    await dialog.getByRole('button', { name: '돌아가기' }).click();
    await dialog.waitFor({ state: 'detached' });
    await waiting.waitFor();
    await waiting.getByRole('button', { name: '주문 취소' }).click();
    await dialog.getByRole('button', { name: '취소 확정' }).click();
    await column('취소').getByRole('article', { name: `배달 ${second.id.slice(0, 8)}` }).waitFor({ timeout: 10_000 });
  });

  it('edits the tariff through dispatch\'s tariff routes: a bad night window is shown beside its field, a good one is a new version', async () => {
    await page.getByRole('tab', { name: '요금표·날씨 할증' }).click();
    const version = page.getByLabel('현재 버전');
    await version.waitFor();
    expect(await version.textContent()).toContain('v1');

    const nightOn = page.getByLabel('심야 할증 사용');
    if (!(await nightOn.isChecked())) await nightOn.check();
    const nightFrom = page.getByLabel('심야 할증 시작');
    await nightFrom.fill('25:00');
    await page.getByRole('button', { name: '요금표 저장' }).click();
    await expect(waitForAttribute(nightFrom, 'aria-invalid')).resolves.toBe('true');
    const described = await page.locator(`[id="${await nightFrom.getAttribute('aria-describedby')}"]`).textContent();
    expect(described).toMatch(/HH:MM/);
    // The problem sits in the field's own row, right after its input.
    expect(await page.locator('[data-field="tariff.surcharges.night.from"] [role="alert"]').textContent()).toBe(described);
    expect(await version.textContent()).toContain('v1');
    await saveScreenshot(page, 'agency-tariff-invalid');

    await nightFrom.fill('23:00');
    await page.getByLabel('기본요금 (원)').fill('3500');
    await page.getByRole('button', { name: '요금표 저장' }).click();
    await eventually(async () => ((await version.textContent())?.includes('v2') ? true : undefined), 'version 2 shown');
    expect(await nightFrom.getAttribute('aria-invalid')).toBeNull();
    const saved = await feeTariff();
    expect(saved).toMatchObject({ version: 2, tariff: { baseFee: 3500, surcharges: { night: { from: '23:00', to: '06:00', amount: 1000 } } } });
    await saveScreenshot(page, 'agency-tariff-editor');
  });

  it('switches rain mode on and off', async () => {
    await page.getByLabel('날씨 할증 금액 (원)').fill('1500');
    await page.getByRole('button', { name: '날씨 할증 켜기' }).click();
    const weather = page.getByRole('status', { name: '날씨 할증 상태' });
    await eventually(async () => ((await weather.textContent())?.includes('우천 할증 1,500원') ? true : undefined), 'rain mode shown');
    expect(await feeTariff()).toMatchObject({ version: 3, tariff: { surcharges: { weather: { mode: 'rain', amount: 1500 } } } });
    await expect(page.getByLabel('현재 버전').textContent()).resolves.toContain('v3');
    await saveScreenshot(page, 'agency-weather-on');

    await page.getByRole('button', { name: '날씨 할증 끄기' }).click();
    await eventually(async () => ((await weather.textContent()) === '날씨 할증 꺼짐' ? true : undefined), 'weather mode off shown');
    expect(await feeTariff()).toMatchObject({ version: 4, tariff: { surcharges: { weather: null } } });
  });

  it("shows each map provider's breaker and the fees awaiting reconciliation, and keeps the board when fee is down", async () => {
    await page.getByRole('tab', { name: '지도 제공자' }).click();
    const panel = page.getByRole('tabpanel');
    await panel.getByRole('row', { name: '추정(Turf) 경로' }).waitFor({ timeout: 10_000 });
    expect(await panel.getByRole('row', { name: '카카오 경로' }).textContent()).toContain('키 없음');
    // Without map keys every fee is a Turf estimate; the two deliveries assigned above were charged at one.
    await eventually(async () => ((await panel.getByLabel('정산 대기').textContent())?.includes('재계산 대기 추정 요금 2건') ? true : undefined), 'two estimated fees awaiting reconciliation');
    await saveScreenshot(page, 'agency-providers');

    await stack.kill('fee');
    await panel.getByText('요금 서비스 응답 없음').waitFor({ timeout: 15_000 });
    await page.getByRole('tab', { name: '배차 현황' }).click();
    await column('배정').getByRole('article').first().waitFor();
    expect(errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
  });

  async function feeTariff(): Promise<{ version: number; tariff: Record<string, unknown> }> {
    const response = await fetch(`${stack.url('fee')}/v1/agencies/${tenants.agency.agencyId}/tariff`, { headers: { authorization: `Bearer ${tenants.agency.apiKey}` } });
    return (await response.json()) as { version: number; tariff: Record<string, unknown> };
  }
});

async function waitForAttribute(locator: ReturnType<Page['getByLabel']>, name: string): Promise<string | null> {
  return eventually(async () => (await locator.getAttribute(name)) ?? undefined, `${name} on the field`);
}
