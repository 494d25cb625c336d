import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { io } from 'socket.io-client';
import { CITY_HALL_GEOLOCATION as CITY_HALL, describeInBrowser, pageErrors, phoneContext, riderScreen, saveScreenshot, visible } from '../support/browser.js';
import { closeRiderBrowser, openRiderBrowser, type RiderBrowser } from '../support/rider-browser.js';
import { eventually, type Tenants } from '../support/stack.js';
import { TcpProxy } from '../support/tcp-proxy.js';

/** Width and height of a PNG, from its IHDR chunk. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/**
 * The rider app when the network fails, in headless Chromium against the three services as processes: it installs
 * (manifest, icons, a service worker that controls the page and serves it with no network), keeps working offline
 * (reports kept with the device's time and sent once when back), and learns what happened while it was away.
 */
describeInBrowser('rider app without a network (system)', () => {
  let { stack, tenants, browser, context, page, errors } = {} as RiderBrowser;

  const connection = (on: Page) => riderScreen(on).connection();
  const offer = (on: Page) => riderScreen(on).offer();
  const job = (on: Page) => riderScreen(on).job();
  const banner = (on: Page) => on.getByRole('alert', { name: '오프라인' });
  const seen = (locator: ReturnType<Page['locator']>, what: string, timeout?: number) => visible(locator, what, errors, timeout);
  const api = async <T,>(agency: Tenants['agency'], path: string, init: RequestInit = {}): Promise<T> => {
    const response = await fetch(`${stack.url('dispatch')}/v1/agencies/${agency.agencyId}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${agency.apiKey}`, 'content-type': 'application/json' },
    });
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };
  type BoardDelivery = { id: string; orderId: string; status: string; pickedUpAt: string | null; deliveredAt: string | null; offers: Array<{ riderId: string }> };
  const deliveryOf = (agency: Tenants['agency'], orderId: string) =>
    eventually(
      async () => (await api<{ deliveries: BoardDelivery[] }>(agency, '/deliveries?limit=100')).deliveries.find((d) => d.orderId === orderId),
      `the delivery of order ${orderId}`,
    );

  /** Signs a rider in on `on`, shares its position, and waits for the connection. */
  async function signIn(on: Page, token: string): Promise<void> {
    await on.getByLabel('라이더 토큰').fill(token);
    await on.getByRole('button', { name: '로그인' }).click();
    await seen(connection(on).filter({ hasText: '연결됨' }), 'connected after signing in');
    await on.getByRole('button', { name: '내 위치 공유' }).click();
    await seen(on.getByLabel('위치').filter({ hasText: '전송됨' }), 'the position sent');
  }

  /** A new order for the agency, offered to the rider on `on` and accepted there. */
  async function acceptedJob(on: Page, restaurant = tenants.restaurant): Promise<string> {
    const sent = await restaurant.send();
    expect(sent.status).toBe(202);
    await seen(offer(on), 'the offer');
    await offer(on).getByRole('button', { name: '수락' }).click();
    await seen(job(on).getByRole('button', { name: '픽업 완료' }), 'the accepted job');
    return sent.body.orderId;
  }

  beforeAll(async () => {
    ({ stack, tenants, browser, context, page, errors } = await openRiderBrowser({
      env: { DISPATCH_SWEEP_INTERVAL_MS: '200', RIDER_PING_INTERVAL_MS: '1500', RIDER_PING_TIMEOUT_MS: '1000', RIDER_KEEPALIVE_INTERVAL_MS: '1500', OFFER_UNSEEN_WITHDRAW_SECONDS: '2' },
      agency: '오프라인 대행',
      riders: ['지하 라이더', '교대 라이더'],
    }));
  }, 120_000);

  afterAll(() => closeRiderBrowser({ browser, stack }));

  it('is installable: a manifest with its icons at their sizes, a service worker that controls the page and serves it offline', async () => {
    const base = stack.url('dispatch');
    const html = await (await fetch(`${base}/rider/`)).text();
    expect(html).toContain('<link rel="manifest" href="/rider/manifest.webmanifest"');
    const response = await fetch(`${base}/rider/manifest.webmanifest`);
    expect(response.headers.get('content-type')).toMatch(/^application\/manifest\+json/);
    const manifest = (await response.json()) as Record<string, any>;
    expect(manifest).toMatchObject({ name: '배차 라이더', short_name: expect.any(String), start_url: '/rider/', scope: '/rider/', display: 'standalone' });
    expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
    const icons = manifest.icons as Array<{ src: string; sizes: string; type: string; purpose?: string }>;
    for (const icon of icons) {
      const fetched = await fetch(`${base}${icon.src}`);
      expect([icon.src, fetched.status, fetched.headers.get('content-type')]).toEqual([icon.src, 200, 'image/png']);
      const { width, height } = pngSize(Buffer.from(await fetched.arrayBuffer()));
      expect(`${width}x${height}`).toBe(icon.sizes);
    }
    // What a browser needs to offer installing: a 192 and a 512 icon, and one a launcher may crop.
    expect(icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
    expect(icons.some((i) => i.purpose === 'maskable')).toBe(true);
    const worker = await fetch(`${base}/rider/sw.js`);
    expect([worker.status, worker.headers.get('cache-control')]).toEqual([200, 'no-cache']);

    await page.goto(`${base}/rider`);
    const scope = await page.evaluate('navigator.serviceWorker.ready.then((registration) => registration.scope)');
    expect(scope).toBe(`${base}/rider/`);
    await page.reload();
    await expect(page.evaluate('navigator.serviceWorker.controller?.scriptURL')).resolves.toBe(`${base}/rider/sw.js`);

    // With no network at all the page still opens, from the worker's cache.
    await context.setOffline(true);
    await page.reload();
    await seen(page.getByLabel('라이더 토큰'), 'the sign-in page served offline');
    await context.setOffline(false);
  }, 60_000);

  it('goes offline mid-delivery: picks up and delivers offline, survives a reload, and the server gets both reports once with the device times', async () => {
    await page.goto(`${stack.url('dispatch')}/rider`);
    await signIn(page, tenants.riders[0].token);
    const orderId = await acceptedJob(page);

    await context.setOffline(true);
    await seen(banner(page), 'the offline banner');
    await expect(banner(page).textContent()).resolves.toContain('새 배차를 받을 수 없습니다');
    const beforePickup = Date.now();
    await job(page).getByRole('button', { name: '픽업 완료' }).click();
    await seen(job(page).getByRole('button', { name: '배달 완료' }), 'the pickup shown at once, offline');
    const afterPickup = Date.now();
    await expect(banner(page).getByLabel('전송 대기').textContent()).resolves.toContain('보고 1건');

    // Reloaded with no network: the job comes back from the device, with when the server last confirmed it.
    await page.reload();
    await seen(job(page).getByRole('button', { name: '배달 완료' }), 'the job shown from IndexedDB after an offline reload');
    await seen(banner(page).getByLabel('마지막 확인'), 'when the jobs were last confirmed');
    await expect(banner(page).getByLabel('전송 대기').textContent()).resolves.toContain('보고 1건');
    await saveScreenshot(page, 'rider-offline');
    const beforeDelivery = Date.now();
    await job(page).getByRole('button', { name: '배달 완료' }).click();
    await seen(page.getByText('진행 중인 배달이 없습니다.'), 'the delivery shown done, offline');
    const afterDelivery = Date.now();
    await expect(banner(page).getByLabel('전송 대기').textContent()).resolves.toContain('보고 2건');
    const delivery = await deliveryOf(tenants.agency, orderId);
    expect(delivery.status).toBe('assigned');

    await context.setOffline(false);
    await seen(connection(page).filter({ hasText: '연결됨' }), 'connected again');
    await eventually(async () => ((await deliveryOf(tenants.agency, orderId)).status === 'delivered' ? true : undefined), 'the board to show it delivered');
    const detail = await api<{ pickedUpAt: string; deliveredAt: string; transitions: Array<{ to: string; at: string; reportedAt: string | null }> }>(
      tenants.agency,
      `/deliveries/${delivery.id}`,
    );
    const steps = detail.transitions.filter((t) => t.to === 'picked_up' || t.to === 'delivered');
    expect(steps.map((t) => t.to)).toEqual(['picked_up', 'delivered']);
    const [pickup, delivered] = steps;
    // Dated by the device when tapped, received only once the network was back.
    expect(Date.parse(pickup!.reportedAt!)).toBeGreaterThanOrEqual(beforePickup - 1000);
    expect(Date.parse(pickup!.reportedAt!)).toBeLessThanOrEqual(afterPickup + 1000);
    expect(Date.parse(delivered!.reportedAt!)).toBeGreaterThanOrEqual(beforeDelivery - 1000);
    expect(Date.parse(delivered!.reportedAt!)).toBeLessThanOrEqual(afterDelivery + 1000);
    expect(Date.parse(pickup!.at)).toBeGreaterThan(afterDelivery);
    expect([detail.pickedUpAt, detail.deliveredAt]).toEqual([pickup!.reportedAt, delivered!.reportedAt]);
    await eventually(async () => ((await tenants.restaurant.order(orderId)).status === 'delivered' ? true : undefined), 'the restaurant to see it delivered', 20_000);
    expect(await banner(page).count()).toBe(0);
  }, 120_000);

  it('shows a rider whose job the agency moved to another rider while it was offline that it was reassigned, and why', async () => {
    const orderId = await acceptedJob(page);
    const delivery = await deliveryOf(tenants.agency, orderId);
    await context.setOffline(true);
    await seen(banner(page), 'the offline banner');
    await api(tenants.agency, `/deliveries/${delivery.id}/reassign`, {
      method: 'POST',
      body: JSON.stringify({ riderId: tenants.riders[1].riderId, reason: '지하 주차장에서 연락 두절' }),
    });
    await context.setOffline(false);
    await seen(page.getByLabel('알림').getByText('관제에서 배차를 회수했습니다 (지하 주차장에서 연락 두절).'), 'the reassignment told with its reason');
    await seen(page.getByText('진행 중인 배달이 없습니다.'), 'the job gone');
    await saveScreenshot(page, 'rider-reassigned-while-offline');
  }, 60_000);

  it('makes an offer noticed: a vibration the rider can turn off, a countdown, one tap to Kakao Map, Naver Map or T map', async () => {
    const alerting = await stack.tenants('알림 대행', ['알림 라이더']);
    const phone = await phoneContext(browser, { geolocation: CITY_HALL });
    // Records the vibrations the app asks for (a desktop browser has no motor).
    await phone.addInitScript({ content: 'globalThis.__vibrations = []; navigator.vibrate = (pattern) => (globalThis.__vibrations.push(pattern), true);' });
    try {
      const noticing = await phone.newPage();
      errors = pageErrors(noticing);
      const vibrations = () => noticing.evaluate('globalThis.__vibrations.length');
      await noticing.goto(`${stack.url('dispatch')}/rider`);
      await signIn(noticing, alerting.riders[0].token);
      expect(await noticing.getByRole('button', { name: '새 배차 알림음·진동 켜짐' }).getAttribute('aria-pressed')).toBe('true');

      expect((await alerting.restaurant.send()).status).toBe(202);
      await seen(offer(noticing), 'the first offer');
      await expect(vibrations()).resolves.toBe(1);
      await expect(offer(noticing).getByRole('timer').textContent()).resolves.toMatch(/^\d+초$/);
      const links = offer(noticing).getByRole('navigation', { name: '픽업지 길안내' }).getByRole('link');
      const hrefs = await links.evaluateAll((anchors) => anchors.map((a) => [a.textContent, a.getAttribute('href')]));
      expect(hrefs).toEqual([
        ['카카오맵', expect.stringMatching(/^https:\/\/map\.kakao\.com\/link\/to\/[^,]+,37\.\d+,126\.\d+$/)],
        ['네이버 지도', expect.stringMatching(/^nmap:\/\/route\/car\?dlat=37\.\d+&dlng=126\.\d+&dname=[^&]+&appname=http/)],
        ['T맵', expect.stringMatching(/^tmap:\/\/route\?goalx=126\.\d+&goaly=37\.\d+&goalname=.+$/)],
      ]);
      await saveScreenshot(noticing, 'rider-offer-noticed');
      await offer(noticing).getByRole('button', { name: '수락' }).click();
      await job(noticing).getByRole('button', { name: '픽업 완료' }).click();
      const dropoff = job(noticing).getByRole('navigation', { name: '배달지 길안내' }).getByRole('link', { name: 'T맵' });
      await expect(dropoff.getAttribute('href')).resolves.toMatch(/^tmap:\/\/route\?goalx=126\.9769&goaly=37\.5759&goalname=/);
      // Delivered, so the rider is free for the next offer (the planner offers a busy rider more only near its end).
      await job(noticing).getByRole('button', { name: '배달 완료' }).click();
      await seen(noticing.getByText('진행 중인 배달이 없습니다'), 'the job delivered');

      // Turned off, the next offer comes silently; the setting is kept on the device.
      await noticing.getByRole('button', { name: '새 배차 알림음·진동 켜짐' }).click();
      await seen(noticing.getByRole('button', { name: '새 배차 알림음·진동 꺼짐' }), 'the alert turned off');
      expect((await alerting.restaurant.send()).status).toBe(202);
      await seen(offer(noticing), 'the second offer');
      await expect(vibrations()).resolves.toBe(1);
      await noticing.reload();
      await seen(noticing.getByRole('button', { name: '새 배차 알림음·진동 꺼짐' }), 'the setting kept across a reload');
    } finally {
      await phone.close();
    }
  }, 90_000);

  it('shows a system notification of an offer that arrives while the app is in the background, and none while it is on screen', async () => {
    const background = await stack.tenants('백그라운드 대행', ['주머니 속 라이더']);
    const phone = await phoneContext(browser, { geolocation: CITY_HALL, permissions: ['geolocation', 'notifications'] });
    // A headless browser shows no notification and is never in the background: the page's view of both is taken
    // over, and each notification asked of the service worker is recorded.
    await phone.addInitScript({
      content: `globalThis.__hidden = false; globalThis.__notifications = [];
        Object.defineProperty(Document.prototype, 'visibilityState', { get: () => (globalThis.__hidden ? 'hidden' : 'visible') });
        ServiceWorkerRegistration.prototype.showNotification = function (title, options) { globalThis.__notifications.push({ title, body: options.body, tag: options.tag }); return Promise.resolve(); };`,
    });
    try {
      const pocket = await phone.newPage();
      errors = pageErrors(pocket);
      await pocket.goto(`${stack.url('dispatch')}/rider`);
      await signIn(pocket, background.riders[0].token);
      const notifications = () => pocket.evaluate('globalThis.__notifications') as Promise<Array<{ title: string; body: string; tag: string }>>;

      // On screen: the offer card, no notification.
      expect((await background.restaurant.send()).status).toBe(202);
      await seen(offer(pocket), 'the offer on screen');
      await expect(notifications()).resolves.toEqual([]);
      await offer(pocket).getByRole('button', { name: '거절' }).click();
      await eventually(async () => ((await offer(pocket).count()) === 0 ? true : undefined), 'the offer declined');

      await pocket.evaluate(`globalThis.__hidden = true; document.dispatchEvent(new Event('visibilitychange'))`);
      expect((await background.restaurant.send()).status).toBe(202);
      const [shown] = await eventually(async () => ((await notifications()).length > 0 ? notifications() : undefined), 'the notification of the offer');
      expect(shown).toEqual({ title: '새 배차: 테스트 식당', body: expect.stringContaining('→'), tag: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      await seen(offer(pocket), 'the offer waiting on screen when the rider comes back');
    } finally {
      await phone.close();
    }
  }, 90_000);

  it('when its connection dies without closing: dispatch notices within the bound, the offer goes to the next rider, the app is told it is gone', async () => {
    const tunnel = await stack.tenants('터널 대행', ['터널 라이더', '바깥 라이더']);
    const proxy = await TcpProxy.start(Number(new URL(stack.url('dispatch')).port));
    const phone = await phoneContext(browser, { geolocation: CITY_HALL });
    try {
      const lost = await phone.newPage();
      errors = pageErrors(lost);
      // Everything this phone says to dispatch goes through the proxy, which can go silent.
      await lost.goto(`${proxy.url}/rider`);
      await signIn(lost, tunnel.riders[0].token);

      proxy.blackhole();
      const cut = Date.now();
      const sent = await tunnel.restaurant.send();
      expect(sent.status).toBe(202);
      const made = await eventually(async () => {
        const d = (await api<{ deliveries: BoardDelivery[] }>(tunnel.agency, '/deliveries')).deliveries.find((x) => x.orderId === sent.body.orderId);
        return d?.offers.some((o) => o.riderId === tunnel.riders[0].riderId) ? d : undefined;
      }, 'the offer made into the dead connection');

      const next = io(`${stack.url('dispatch')}/riders`, { auth: { token: tunnel.riders[1].token, acknowledgesOffers: true }, transports: ['websocket'], reconnection: false });
      try {
        const passedOn = new Promise<{ offerId: string; deliveryId: string }>((resolve) => next.on('offer', resolve));
        await new Promise<void>((resolve) => next.on('connect', () => resolve()));
        await next.timeout(5000).emitWithAck('location', { lng: CITY_HALL.longitude, lat: CITY_HALL.latitude });

        await eventually(async () => {
          const riders = (await api<{ riders: Array<{ id: string; state: string }> }>(tunnel.agency, '/riders')).riders;
          return riders.find((r) => r.id === tunnel.riders[0].riderId)?.state === 'offline' ? true : undefined;
        }, 'dispatch to notice the dead connection');
        // Pinged every 1.5 s with 1 s to answer, checked every second: noticed within 3.5 s, well inside 10 s.
        expect(Date.now() - cut).toBeLessThan(10_000);
        expect((await passedOn).deliveryId).toBe(made.id);
      } finally {
        next.disconnect();
      }

      // The app notices the silence too, reconnects through a new connection and is replayed what it missed.
      await seen(lost.getByLabel('알림').getByText('응답 시간이 지나 배차 제안이 넘어갔습니다.'), 'the lost offer told on reconnecting', 30_000);
      await seen(connection(lost).filter({ hasText: '연결됨' }), 'connected again');
      expect(await offer(lost).count()).toBe(0);
    } finally {
      await phone.close();
      await proxy.close();
    }
  }, 90_000);

  // Last: it restarts dispatch.
  it('after dispatch restarted while it was offline (nothing it missed is kept), shows which job went and why', async () => {
    const restarted = await stack.tenants('재시작 대행', ['재시작 라이더', '넘겨받는 라이더']);
    const phone = await phoneContext(browser, { geolocation: CITY_HALL });
    try {
      const away = await phone.newPage();
      errors = pageErrors(away);
      await away.goto(`${stack.url('dispatch')}/rider`);
      await signIn(away, restarted.riders[0].token);
      const orderId = await acceptedJob(away, restarted.restaurant);
      const delivery = await deliveryOf(restarted.agency, orderId);
      await phone.setOffline(true);
      await seen(banner(away), 'the offline banner');
      await api(restarted.agency, `/deliveries/${delivery.id}/reassign`, {
        method: 'POST',
        body: JSON.stringify({ riderId: restarted.riders[1].riderId, reason: '배터리 방전' }),
      });
      // The events kept for the app die with the process: on reconnecting it must rebuild from the snapshot.
      await stack.kill('dispatch', 'SIGKILL');
      await stack.start('dispatch');
      await phone.setOffline(false);
      await seen(away.getByLabel('알림').getByText('테스트 식당: 관제에서 다른 라이더에게 넘겼습니다 (배터리 방전).'), 'the reassignment told after a rebuild', 30_000);
      await seen(away.getByText('진행 중인 배달이 없습니다.'), 'the job gone');
    } finally {
      await phone.close();
    }
  }, 90_000);
});
