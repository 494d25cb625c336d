import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describeInBrowser, pageErrors, riderScreen, saveScreenshot, visible } from '../support/browser.js';
import { setRiderDisabled } from '../../apps/dispatch/src/rider-admin/rider-admin.provisioning.js';
import { closeRiderBrowser, openRiderBrowser } from '../support/rider-browser.js';
import { eventually, type Stack, type Tenants } from '../support/stack.js';

/**
 * The rider companion client as a rider uses it: the page dispatch serves at /rider, in headless Chromium,
 * against the three services running as processes. A restaurant's order reaches the rider's screen as an offer
 * with its pay and a running countdown; the rider takes it through pickup to delivery, and the restaurant sees
 * it delivered. When dispatch is killed, the open page reconnects by itself and shows the rider's job again. A
 * rider the admin CLI disables is signed out and told why.
 */
describeInBrowser('rider client in a browser (system)', () => {
  let stack: Stack;
  let tenants: Tenants;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  const connection = () => riderScreen(page).connection();
  const offer = () => riderScreen(page).offer();
  const job = () => riderScreen(page).job();
  const seen = (locator: ReturnType<Page['locator']>, what: string, timeout?: number) => visible(locator, what, errors, timeout);
  /** A new page on the sign-in form: the context shares storage, so a rider signed in on another page is signed out. */
  const signedOutPage = async () => {
    const phone = await context.newPage();
    const phoneErrors = pageErrors(phone);
    await phone.goto(`${stack.url('dispatch')}/rider`);
    // The page opens signed in with a token an earlier test left in the context, or on the sign-in form: whichever
    // it renders (on a busy machine, some time after the load event), it ends on the form.
    const signOut = phone.getByRole('button', { name: '로그아웃' });
    const tokenField = phone.getByLabel('라이더 토큰');
    await tokenField.or(signOut).first().waitFor({ timeout: 20_000 });
    if (await signOut.isVisible()) await signOut.click();
    await tokenField.waitFor({ timeout: 20_000 });
    return { phone, phoneErrors };
  };
  const orderStatus = (orderId: string, status: string) =>
    eventually(async () => ((await tenants.restaurant.order(orderId)).status === status ? true : undefined), `the restaurant to see ${status}`, 20_000);

  beforeAll(async () => {
    // Three failed sign-ins from one address are enough to see the last test's refusal (no other test fails one).
    ({ stack, tenants, browser, context, page, errors } = await openRiderBrowser({
      env: { DISPATCH_SWEEP_INTERVAL_MS: '200', FEE_PENDING_OFFER_AFTER_MS: '300', AUTH_FAILURES_PER_ADDRESS: '3', RIDER_RECHECK_INTERVAL_MS: '200' },
      agency: '브라우저 대행',
      riders: ['브라우저 라이더', '모의 라이더', '멈출 라이더'],
    }));
  }, 120_000);

  afterAll(() => closeRiderBrowser({ browser, stack }));

  it('serves the page: index.html uncached, client-side paths fall back to it, assets with their content type', async () => {
    const index = await fetch(`${stack.url('dispatch')}/rider/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const html = await index.text();
    const script = html.match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${stack.url('dispatch')}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${stack.url('dispatch')}/rider/some/screen`)).status).toBe(200);
    expect((await fetch(`${stack.url('dispatch')}/rider/missing.js`)).status).toBe(404);
    expect((await fetch(`${stack.url('dispatch')}/agency/`)).status).toBe(200);
  });

  it('signs in, shares its position, takes an offer through pickup to delivery; the restaurant sees it delivered', async () => {
    await page.goto(`${stack.url('dispatch')}/rider`);
    await page.getByLabel('라이더 토큰').fill(tenants.riders[0].token);
    await page.getByRole('button', { name: '로그인' }).click();
    await seen(connection().filter({ hasText: '연결됨' }), 'connected after signing in');
    await page.getByRole('button', { name: '휴식 시작' }).click();
    await seen(page.getByLabel('운행 상태').filter({ hasText: '휴식 중' }), 'on break');
    await page.getByRole('button', { name: '휴식 종료' }).click();
    await seen(page.getByLabel('운행 상태').filter({ hasText: '운행 중' }), 'back from the break');
    await page.getByRole('button', { name: '내 위치 공유' }).click();
    await seen(page.getByLabel('위치').filter({ hasText: '전송됨' }), 'the position sent');

    // Cooked already (a cooking time of 0), promised in 40 minutes.
    const sent = await tenants.restaurant.send({ cookingMinutes: 0, promisedMinutes: 40 });
    expect(sent.status).toBe(202);
    await seen(offer(), 'the offer on the screen');
    await expect(offer().getByLabel('수입').textContent()).resolves.toMatch(/^[\d,]+원$/);
    await expect(offer().getByLabel('조리 완료 시각').textContent()).resolves.toMatch(/^\d{2}:\d{2} 준비됨$/);
    await expect(offer().getByLabel('도착 약속 시각').textContent()).resolves.toMatch(/^\d{2}:\d{2}까지$/);
    await expect(offer().textContent()).resolves.toContain('서울특별시 종로구 세종대로 172');
    const secondsLeft = async () => {
      const text = (await offer().getByRole('timer').textContent()) ?? '';
      const [, minutes = '0', seconds] = text.match(/^(?:(\d+)분 )?(\d+)초$/) ?? [];
      return Number(minutes) * 60 + Number(seconds);
    };
    const first = await secondsLeft();
    expect(first).toBeGreaterThan(5);
    await page.waitForTimeout(1500);
    expect(await secondsLeft()).toBeLessThan(first);
    await saveScreenshot(page, 'rider-offer');

    await offer().getByRole('button', { name: '수락' }).click();
    await seen(job().getByRole('button', { name: '픽업 완료' }), 'the accepted job with its next step');
    expect(await offer().count()).toBe(0);
    await orderStatus(sent.body.orderId, 'assigned');
    // The kitchen is late: the job card says so, with the new time.
    await expect(tenants.restaurant.timing(sent.body.orderId, 'delay', { minutes: 10 })).resolves.toMatchObject({ status: 200 });
    await seen(job().getByLabel('조리 완료 시각').filter({ hasText: /^\d{2}:\d{2} 준비 \(\d+분 후\) · 지연$/ }), 'the job showing the delay');
    await saveScreenshot(page, 'rider-job');

    await job().getByRole('button', { name: '픽업 완료' }).click();
    await seen(job().getByRole('button', { name: '배달 완료' }), 'the job picked up');
    await orderStatus(sent.body.orderId, 'picked_up');
    await job().getByRole('button', { name: '배달 완료' }).click();
    await seen(page.getByText('진행 중인 배달이 없습니다.'), 'no job left after delivering');
    await orderStatus(sent.body.orderId, 'delivered');
  }, 120_000);

  it('reconnects by itself after dispatch is killed and shows the job again, without a reload', async () => {
    const sent = await tenants.restaurant.send();
    expect(sent.status).toBe(202);
    await seen(offer(), 'the second offer');
    await offer().getByRole('button', { name: '수락' }).click();
    await seen(job().getByRole('button', { name: '픽업 완료' }), 'the second job');
    await page.evaluate(() => Object.assign(globalThis, { __sameDocument: true }));

    await stack.kill('dispatch', 'SIGKILL');
    await seen(connection().filter({ hasText: '다시 연결 중' }), 'the lost connection shown');
    await stack.start('dispatch');
    await seen(connection().filter({ hasText: '연결됨' }), 'connected again', 30_000);
    await seen(job().getByRole('button', { name: '픽업 완료' }), 'the job shown after reconnecting');
    expect(await page.evaluate(() => (globalThis as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    await saveScreenshot(page, 'rider-reconnected');

    // The job is live on the new connection: the steps go through to the restaurant.
    await job().getByRole('button', { name: '픽업 완료' }).click();
    await seen(job().getByRole('button', { name: '배달 완료' }), 'the job picked up after reconnecting');
    await job().getByRole('button', { name: '배달 완료' }).click();
    await orderStatus(sent.body.orderId, 'delivered');
    expect(errors.filter((e) => !/WebSocket|ERR_CONNECTION_REFUSED|net::/.test(e))).toEqual([]);
  }, 120_000);

  it('shows 요금 산정 중 while fee is down and the pay once it is back; a trip reported 배달 불가 fails for the restaurant', async () => {
    await stack.kill('fee', 'SIGKILL');
    const sent = await tenants.restaurant.send();
    expect(sent.status).toBe(202);
    await seen(offer(), 'an offer with the fee pending');
    await expect(offer().getByLabel('수입').textContent()).resolves.toBe('요금 산정 중');
    await offer().getByRole('button', { name: '수락' }).click();
    await seen(job().filter({ hasText: '요금 산정 중' }), 'the job with its fee pending');

    await stack.start('fee');
    await seen(job().filter({ hasText: /[\d,]+원/ }), 'the pay once fee is back', 30_000);

    await job().getByRole('button', { name: '배달 불가' }).click();
    await job().getByLabel('배달 불가 사유').fill('고객 연락 안 됨');
    await job().getByRole('button', { name: '실패 보고' }).click();
    await seen(page.getByText('진행 중인 배달이 없습니다.'), 'no job left after reporting it failed');
    await orderStatus(sent.body.orderId, 'failed');
  }, 120_000);

  it('walks the simulated route: the agency sees the rider move around City Hall at a plausible pace', async () => {
    const desk = await context.newPage();
    await desk.goto(`${stack.url('dispatch')}/rider`);
    // The context shares storage: sign the first rider out on this page and sign in as the second one.
    await desk.getByRole('button', { name: '로그아웃' }).click();
    await desk.getByLabel('라이더 토큰').fill(tenants.riders[1].token);
    await desk.getByRole('button', { name: '로그인' }).click();
    await desk.getByRole('status', { name: '연결 상태' }).filter({ hasText: '연결됨' }).waitFor({ timeout: 20_000 });
    await desk.getByRole('button', { name: '모의 주행' }).click();

    type Seen = { riders: Array<{ id: string; position: { lng: number; lat: number } | null }> };
    const positionOf = async () => {
      const response = await fetch(`${stack.url('dispatch')}/v1/agencies/${tenants.agency.agencyId}/riders`, {
        headers: { authorization: `Bearer ${tenants.agency.apiKey}` },
      });
      return ((await response.json()) as Seen).riders.find((r) => r.id === tenants.riders[1].riderId)?.position ?? undefined;
    };
    const start = await eventually(positionOf, 'the simulated rider on the agency board', 20_000);
    expect(start.lng).toBeCloseTo(126.978, 2);
    expect(start.lat).toBeCloseTo(37.5665, 2);
    const moved = await eventually(async () => {
      const now = await positionOf();
      return now && (now.lng !== start.lng || now.lat !== start.lat) ? now : undefined;
    }, 'the simulated rider to move', 20_000);
    // One step every 3 s at scooter pace: tens of metres, never a jump.
    const metres = Math.hypot((moved.lng - start.lng) * 88_000, (moved.lat - start.lat) * 111_000);
    expect(metres).toBeGreaterThan(5);
    expect(metres).toBeLessThan(100);
    await expect(desk.getByLabel('위치').textContent()).resolves.toMatch(/모의 주행 .* · 전송됨$/);
    await desk.close();
  }, 60_000);

  it('tells a rider the admin CLI disabled, while its page is open, why it was signed out', async () => {
    const { phone, phoneErrors } = await signedOutPage();
    await phone.getByLabel('라이더 토큰').fill(tenants.riders[2].token);
    await phone.getByRole('button', { name: '로그인' }).click();
    await phone.getByRole('status', { name: '연결 상태' }).filter({ hasText: '연결됨' }).waitFor({ timeout: 20_000 });

    // The CLI writes the database only; the dispatch holding the socket finds the disable and closes it, saying why.
    await setRiderDisabled(stack.databases.dispatch, tenants.riders[2].riderId, true, { label: 'admin CLI' });
    await phone.getByRole('alert').filter({ hasText: '관제에서 이 라이더의 사용을 중지했습니다.' }).waitFor({ timeout: 20_000 });
    await saveScreenshot(phone, 'rider-disabled-by-cli');
    // Signed out, so the next page opens on the sign-in form, not with the disabled rider's token (a refused token
    // would count against this address in the last test).
    await phone.getByRole('button', { name: '다시 로그인' }).click();
    await phone.getByLabel('라이더 토큰').waitFor({ timeout: 20_000 });
    expect(phoneErrors).toEqual([]);
    await phone.close();
  }, 60_000);

  // Last: it leaves this machine's address refused for a minute.
  it('tells a rider whose network failed to sign in too often how long to wait, even with the right token', async () => {
    const { phone, phoneErrors } = await signedOutPage();
    for (let i = 0; i < 3; i++) {
      await phone.getByLabel('라이더 토큰').fill(`rt_wrong${i}`);
      await phone.getByRole('button', { name: '로그인' }).click();
      await phone.getByText('토큰이 올바르지 않습니다. 다시 로그인하세요.').waitFor({ timeout: 20_000 });
      await phone.getByRole('button', { name: '다시 로그인' }).click();
    }
    await phone.getByLabel('라이더 토큰').fill(tenants.riders[0].token);
    await phone.getByRole('button', { name: '로그인' }).click();
    const notice = phone.getByLabel('알림').getByText(/이 네트워크에서 로그인 실패가 너무 많습니다\. \d+초 뒤에 다시 연결합니다\./);
    await notice.waitFor({ timeout: 20_000 });
    await expect(phone.getByRole('status', { name: '연결 상태' }).textContent()).resolves.toBe('연결 끊김 · 다시 연결 중…');
    await saveScreenshot(phone, 'rider-too-many-attempts');
    expect(phoneErrors).toEqual([]);
    await phone.close();
  }, 60_000);
});
