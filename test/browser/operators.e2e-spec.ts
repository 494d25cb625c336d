import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { FakeKakao, fakeProvidersEnv } from '../../libs/maps/src/testing/index.js';
import { Rider } from '../support/actors.js';
import { describeInBrowser, launchBrowser, saveScreenshot, signInOnDashboard, TEST_TILES_ENV, visible } from '../support/browser.js';
import { call, signedInOperator, type SignedInOperator } from '../support/operators.js';
import { eventually, startStack, type Stack, type Tenants } from '../support/stack.js';

const GWANGHWAMUN = { address: '서울특별시 종로구 세종대로 172', point: { lng: 126.9769, lat: 37.5759 } };
const CITY_HALL = { lng: 126.9785, lat: 37.567 };
/** The page's own errors, without the tile requests a test made fail on purpose. */
const unexpected = (errors: string[]) => errors.filter((e) => !e.includes('Failed to load resource: net::ERR_FAILED'));

/**
 * The dashboard as the agency's people use it, signed in with their own accounts, against the whole stack with a
 * fake Kakao: a phone order from the form to a rider and delivered, a viewer who cannot cancel, a rider disabled
 * mid-shift whose job goes to another rider. Riders are protocol clients; the map tiles are unreachable here, so
 * the board's map falls back to its plain drawing.
 */
describeInBrowser('operators on the dashboard (system, Chromium)', () => {
  const kakao = new FakeKakao();
  let stack: Stack;
  let tenants: Tenants;
  let browser: Browser;
  const riders: Rider[] = [];
  const people: Partial<Record<'owner' | 'dispatcher' | 'viewer', SignedInOperator>> = {};

  const api = (method: string, path: string, token: string, body?: unknown) => call(stack.url('dispatch'), method, `/v1/agencies/${tenants.agency.agencyId}${path}`, token, body);
  const connectRider = async (index: number) => {
    const rider = await Rider.connect(stack.url('dispatch'), tenants.riders[index].token);
    riders.push(rider);
    await expect(rider.ask('location', CITY_HALL)).resolves.toMatchObject({ ok: true });
    return rider;
  };
  const deliveryOf = (orderId: string) =>
    eventually(async () => {
      const board = await api('GET', '/deliveries?limit=200', tenants.agency.apiKey);
      return (board.body.deliveries as Array<{ id: string; orderId: string; status: string; rider: { name: string } | null; dropoff: { lng: number; lat: number } }>).find((d) => d.orderId === orderId);
    }, `the delivery of order ${orderId}`, 30_000);

  const signIn = (who: SignedInOperator, tiles: 'serve' | 'fail') => signInOnDashboard(browser, stack.url('dispatch'), who, tiles);
  const column = (page: Page, label: string) => page.getByRole('region', { name: new RegExp(`^${label} \\d+건$`) });
  const card = (page: Page, deliveryId: string) => page.getByRole('article', { name: `배달 ${deliveryId.slice(0, 8)}` });

  beforeAll(async () => {
    await kakao.start();
    kakao.places.set(GWANGHWAMUN.address, GWANGHWAMUN.point);
    stack = await startStack({ transport: 'tcp', env: { ...fakeProvidersEnv({ kakao }), DISPATCH_SWEEP_INTERVAL_MS: '200', ...TEST_TILES_ENV } });
    tenants = await stack.tenants('운영자 대행', ['첫째 라이더', '둘째 라이더', '셋째 라이더']);
    for (const role of ['owner', 'dispatcher', 'viewer'] as const) people[role] = await signedInOperator(stack.url('dispatch'), tenants.agency, role);
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    riders.forEach((r) => r.disconnect());
    await browser?.close();
    await stack?.stop();
    await kakao.stop();
  });

  it('takes a phone order in the form, placed by Kakao and the pin moved by hand, to a rider and delivered', async () => {
    const rider = await connectRider(0);
    const { page, errors } = await signIn(people.dispatcher!, 'fail');
    await expect(page.getByLabel('로그인 정보').textContent()).resolves.toContain('배차 담당');
    // The map falls back to its plain drawing by itself when the tiles cannot load, and says so; the board goes on.
    await visible(page.getByRole('status', { name: '지도 상태' }), 'the map saying it fell back', errors);
    await expect(page.getByRole('status', { name: '지도 상태' }).textContent()).resolves.toContain('지도 타일을 불러오지 못해');

    await page.getByRole('tab', { name: '전화 주문' }).click();
    await page.getByRole('option', { name: /^테스트 식당/ }).waitFor({ state: 'attached' });
    await page.getByRole('combobox', { name: '식당', exact: true }).selectOption(tenants.restaurant.restaurantId);
    await page.getByLabel('도착 주소').fill(GWANGHWAMUN.address);
    await page.getByRole('button', { name: '주소 검색' }).click();
    const placed = page.getByLabel('위치 출처');
    await eventually(async () => ((await placed.textContent())?.includes('카카오') ? true : undefined), 'the address placed by Kakao', 15_000);

    // The operator knows better: the pin is dragged a little to the east and south.
    const pin = page.locator('.drop-pin');
    const box = (await pin.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 30, box.y + box.height / 2 + 20, { steps: 5 });
    await page.mouse.move(box.x + box.width / 2 + 60, box.y + box.height / 2 + 40, { steps: 5 });
    await page.mouse.up();
    await eventually(async () => ((await placed.textContent())?.includes('직접 지정') ? true : undefined), 'the pin moved by hand', 10_000);
    const [lat, lng] = (await placed.textContent())!.match(/(\d+\.\d+), (\d+\.\d+)/)!.slice(1).map(Number);
    expect(Math.abs(lng - GWANGHWAMUN.point.lng) + Math.abs(lat - GWANGHWAMUN.point.lat)).toBeGreaterThan(0.0005);

    await page.getByLabel('상세 주소').fill('3층 302호');
    await page.getByLabel('고객 전화번호').fill('010-2222-3333');
    await page.getByLabel('메뉴').fill('칼국수 2인분');
    await page.getByLabel('주문 금액 (원)').fill('18000');
    await page.getByLabel('조리 시간 (분)').fill('0');
    await page.getByLabel('만나서 현금').check();
    await page.getByLabel('받을 금액 (원)').fill('21000');
    await page.getByLabel('요청 사항').fill('벨 누르지 마세요');
    await page.getByRole('button', { name: '주문 접수' }).click();
    const result = page.getByRole('status', { name: '접수 결과' });
    await visible(result, 'the order accepted', errors);
    await saveScreenshot(page, 'operators-phone-order');

    const offer = await eventually(async () => rider.offers[0], 'the offer to the rider', 30_000);
    const accepted = await rider.ask<{ ok: boolean; delivery: any }>('offer:accept', { offerId: offer.offerId });
    expect(accepted.ok).toBe(true);
    expect(accepted.delivery).toMatchObject({ customerPhone: '010-2222-3333', payment: { method: 'cash', collectAmount: 21000 } });
    expect(accepted.delivery.dropoff.lng).toBeCloseTo(lng, 4);
    expect(accepted.delivery.dropoff.lat).toBeCloseTo(lat, 4);

    await page.getByRole('tab', { name: '배차 현황' }).click();
    await visible(card(page, offer.deliveryId), 'the phone order on the board', errors);
    await expect(rider.ask('delivery:pickedUp', { deliveryId: offer.deliveryId })).resolves.toMatchObject({ ok: true });
    await expect(rider.ask('delivery:delivered', { deliveryId: offer.deliveryId })).resolves.toMatchObject({ ok: true });
    await visible(column(page, '완료').getByRole('article', { name: `배달 ${offer.deliveryId.slice(0, 8)}` }), 'the phone order delivered on the board', errors, 15_000);

    const audit = await api('GET', '/audit-log?action=order.entered', people.owner!.token);
    expect(audit.body.entries).toEqual([expect.objectContaining({ operatorId: people.dispatcher!.id, actor: expect.stringContaining(people.dispatcher!.email) })]);
    expect(unexpected(errors)).toEqual([]);
    rider.disconnect();
  }, 120_000);

  it('gives a viewer a board without cancel or dispatch, refuses the cancel on the API, and signs it out when its sessions are revoked', async () => {
    const sent = await tenants.restaurant.send();
    expect(sent.status).toBe(202);
    const delivery = await deliveryOf(sent.body.orderId);
    const { page, errors } = await signIn(people.viewer!, 'fail');
    await visible(card(page, delivery.id), 'the waiting delivery on the viewer\'s board', errors);
    await expect(card(page, delivery.id).getByRole('button').count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: '주문 취소' }).count()).resolves.toBe(0);
    await expect(page.getByRole('tab', { name: '전화 주문' }).count()).resolves.toBe(0);
    await expect(page.getByRole('tab', { name: '운영자' }).count()).resolves.toBe(0);
    await saveScreenshot(page, 'operators-viewer-board');

    const refused = await api('POST', `/deliveries/${delivery.id}/cancel`, people.viewer!.token);
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN', details: { role: 'viewer', required: 'dispatcher' } } } });
    expect((await deliveryOf(sent.body.orderId)).status).not.toBe('cancelled');

    // The owner ends the viewer's sessions: the next poll finds it signed out and goes back to signing in.
    expect((await api('POST', `/operators/${people.viewer!.id}/revoke-sessions`, people.owner!.token)).status).toBe(200);
    await visible(page.getByRole('form', { name: '운영자 로그인' }), 'the sign-in page after the session ended', errors, 15_000);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('세션이 끝났습니다');
    // The dispatcher may cancel the same delivery: the server, not the page, decides.
    expect((await api('POST', `/deliveries/${delivery.id}/cancel`, people.dispatcher!.token)).status).toBe(200);
  }, 120_000);

  it('disables a rider mid-shift from the riders page (its socket closes, its job goes to another rider), registers and edits a rider, invites a person', async () => {
    const first = await connectRider(1);
    const sent = await tenants.restaurant.send();
    const offer = await eventually(async () => first.offers.find((o) => o.deliveryId), 'the offer to the first rider', 30_000);
    await expect(first.ask('offer:accept', { offerId: offer.offerId })).resolves.toMatchObject({ ok: true });
    const second = await connectRider(2);

    const { page, errors } = await signIn(people.owner!, 'serve');
    // Tiles load: the map is Leaflet's, with the riders on it.
    await visible(page.getByRole('region', { name: '라이더와 배달 지도 (지도 타일)' }).locator('.leaflet-tile-loaded').first(), 'a tile loaded', errors);
    await visible(page.locator('.rider-label', { hasText: '둘째 라이더' }), 'the rider on the tile map', errors);
    await expect(page.getByRole('status', { name: '지도 상태' }).count()).resolves.toBe(0);
    await page.getByRole('tab', { name: '라이더 관리' }).click();
    const row = page.getByRole('row', { name: '라이더 관리 둘째 라이더' });
    await visible(row, "the first rider's row", errors);
    await row.getByRole('button', { name: '사용 중지' }).click();
    await eventually(async () => ((await row.textContent())?.includes('다시 사용') ? true : undefined), 'the rider shown disabled', 15_000);

    await eventually(async () => (first.socket.connected ? undefined : true), "the disabled rider's socket closed", 15_000);
    const reoffered = await eventually(async () => second.offers.find((o) => o.deliveryId === offer.deliveryId), 'the job offered to the other rider', 30_000);
    await expect(second.ask('offer:accept', { offerId: reoffered.offerId })).resolves.toMatchObject({ ok: true });
    await expect(Rider.connect(stack.url('dispatch'), tenants.riders[1].token)).rejects.toBeDefined();

    // A new rider, its token shown once, and a capacity changed in place.
    await page.getByRole('form', { name: '라이더 등록' }).getByLabel('이름').fill('넷째 라이더');
    await page.getByRole('button', { name: '라이더 등록' }).click();
    await expect(page.getByRole('status', { name: '라이더 토큰' }).locator('.secret').textContent()).resolves.toMatch(/^rt_/);
    await page.getByLabel('넷째 라이더 동시 배달 수').fill('5');
    await page.getByRole('row', { name: '라이더 관리 넷째 라이더' }).getByRole('button', { name: '저장' }).click();
    await eventually(async () => {
      const listed = await api('GET', '/riders', people.owner!.token);
      return listed.body.riders.find((r: { name: string; capacity: number }) => r.name === '넷째 라이더' && r.capacity === 5);
    }, 'the new rider with its capacity', 15_000);

    // A person invited from the 운영자 screen gets a one-time token.
    await page.getByRole('tab', { name: '운영자' }).click();
    await page.getByLabel('초대할 이메일').fill('new-viewer@example.kr');
    await page.getByRole('combobox', { name: '역할', exact: true }).selectOption('viewer');
    await page.getByRole('button', { name: '초대' }).click();
    await expect(page.getByRole('status', { name: '초대 토큰' }).locator('.secret').textContent()).resolves.toMatch(/^oi_/);

    await page.getByRole('tab', { name: '배차 현황' }).click();
    const moved = card(page, offer.deliveryId);
    await eventually(async () => ((await moved.textContent())?.includes('셋째 라이더') ? true : undefined), 'the board showing the new rider', 15_000);
    expect((await deliveryOf(sent.body.orderId)).rider?.name).toBe('셋째 라이더');

    await page.getByRole('tab', { name: '작업 기록' }).click();
    await page.getByRole('combobox', { name: '작업', exact: true }).selectOption('rider.disabled');
    await visible(page.getByRole('table', { name: '작업 기록 목록' }).getByText('라이더 사용 중지'), 'the disable in the audit log', errors);
    await saveScreenshot(page, 'operators-audit-log');
    expect(unexpected(errors)).toEqual([]);
  }, 120_000);

  it("shows the tariff to a dispatcher's session without saving, and lets an owner's session save it, in the audit log as 요금표 변경", async () => {
    const looker = await signIn(people.dispatcher!, 'fail');
    await looker.page.getByRole('tab', { name: '요금표·날씨 할증' }).click();
    await visible(looker.page.getByLabel('현재 버전'), "the tariff on the dispatcher's screen", looker.errors);
    await expect(looker.page.getByRole('button', { name: '요금표 저장' }).isDisabled()).resolves.toBe(true);
    await expect(looker.page.getByRole('button', { name: '날씨 할증 켜기' }).isDisabled()).resolves.toBe(true);
    await looker.page.context().close();

    const { page, errors } = await signIn(people.owner!, 'fail');
    await page.getByRole('tab', { name: '요금표·날씨 할증' }).click();
    const version = page.getByLabel('현재 버전');
    await visible(version, "the tariff on the owner's screen", errors);
    const before = Number(/v(\d+)/.exec((await version.textContent()) ?? '')?.[1]);
    await page.getByLabel('기본요금 (원)').fill('3700');
    await page.getByRole('button', { name: '요금표 저장' }).click();
    await eventually(async () => ((await version.textContent())?.includes(`v${before + 1}`) ? true : undefined), 'the new version shown', 15_000);
    const current = await api('GET', '/tariff', people.owner!.token);
    expect(current.body).toMatchObject({ version: before + 1, tariff: { baseFee: 3700 } });

    await page.getByRole('tab', { name: '작업 기록' }).click();
    await page.getByRole('combobox', { name: '작업', exact: true }).selectOption('tariff.changed');
    await visible(page.getByRole('table', { name: '작업 기록 목록' }).getByText('요금표 변경'), 'the tariff change in the audit log', errors);
    expect(unexpected(errors)).toEqual([]);
    await page.context().close();
  }, 120_000);
});
