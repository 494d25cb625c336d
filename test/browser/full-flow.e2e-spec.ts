import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { describeInBrowser, launchBrowser, pageErrors, phoneContext, routeTiles, saveScreenshot, TEST_TILES_ENV } from '../support/browser.js';
import { eventually, startStack, type Stack, type Tenants } from '../support/stack.js';

/**
 * The day in one flow, both web apps open side by side: a restaurant sends an order, the rider page shows the
 * offer, the rider accepts, the agency's board shows the assignment, the rider delivers and the board shows it
 * done. Nothing but the pages and the restaurant's webhook drives it.
 */
describeInBrowser('rider page and agency board together (system, Chromium)', () => {
  let stack: Stack;
  let tenants: Tenants;
  let browser: Browser;
  let rider: Page;
  let board: Page;
  let errors: string[];

  const visible = (locator: ReturnType<Page['locator']>, what: string, timeout = 20_000) =>
    locator.waitFor({ state: 'visible', timeout }).catch((error: Error) => {
      throw new Error(`${what}: ${error.message}\npage errors: ${errors.join('\n') || 'none'}`);
    });
  const column = (label: string) => board.getByRole('region', { name: new RegExp(`^${label} \\d+건$`) });

  beforeAll(async () => {
    stack = await startStack({ transport: 'tcp', env: { DISPATCH_SWEEP_INTERVAL_MS: '200', ...TEST_TILES_ENV } });
    tenants = await stack.tenants('하루 흐름 대행', ['흐름 라이더']);
    browser = await launchBrowser();
    rider = await (await phoneContext(browser, { geolocation: { latitude: 37.567, longitude: 126.9785 } })).newPage();
    const boardContext = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'ko-KR', timezoneId: 'Asia/Seoul' });
    await routeTiles(boardContext, 'serve');
    board = await boardContext.newPage();
    errors = [...pageErrors(rider), ...pageErrors(board)];
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('order → offer on the rider page → accept → assigned on the board → delivered on both', async () => {
    await board.goto(`${stack.url('dispatch')}/agency`);
    await board.getByLabel('대행사 ID').fill(tenants.agency.agencyId);
    await board.getByLabel('API 키').fill(tenants.agency.apiKey);
    await board.getByRole('button', { name: 'API 키로 로그인' }).click();
    await visible(board.getByRole('heading', { name: '배차 현황' }), 'the board after signing in');

    await rider.goto(`${stack.url('dispatch')}/rider`);
    await rider.getByLabel('라이더 토큰').fill(tenants.riders[0].token);
    await rider.getByRole('button', { name: '로그인' }).click();
    await visible(rider.getByRole('status', { name: '연결 상태' }).filter({ hasText: '연결됨' }), 'the rider connected');
    await rider.getByRole('button', { name: '내 위치 공유' }).click();
    await visible(rider.getByLabel('위치').filter({ hasText: '전송됨' }), 'the position sent');

    const sent = await tenants.restaurant.send();
    expect(sent.status).toBe(202);
    const offer = rider.getByRole('article', { name: /^배차 제안/ });
    await visible(offer, 'the offer on the rider page');
    await saveScreenshot(rider, 'flow-rider-offer');
    await offer.getByRole('button', { name: '수락' }).click();
    const job = rider.getByRole('article', { name: /^배달:/ });
    await visible(job.getByRole('button', { name: '픽업 완료' }), 'the job on the rider page');

    await visible(column('배정').getByRole('article'), 'the assignment on the board', 15_000);
    expect(await column('배정').getByRole('article').textContent()).toContain('흐름 라이더');
    await saveScreenshot(board, 'flow-board-assigned');

    await job.getByRole('button', { name: '픽업 완료' }).click();
    await visible(job.getByRole('button', { name: '배달 완료' }), 'the job picked up');
    await job.getByRole('button', { name: '배달 완료' }).click();
    await visible(rider.getByText('진행 중인 배달이 없습니다.'), 'no job left on the rider page');
    await visible(column('완료').getByRole('article'), 'the delivery done on the board', 15_000);
    await saveScreenshot(board, 'flow-board-delivered');
    await eventually(async () => ((await tenants.restaurant.order(sent.body.orderId)).status === 'delivered' ? true : undefined), 'the restaurant to see delivered', 20_000);
    expect(errors).toEqual([]);
  }, 120_000);
});
