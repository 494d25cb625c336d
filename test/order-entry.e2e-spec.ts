import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { FakeKakao, fakeProvidersEnv } from '../libs/maps/src/testing/index.js';
import { call, signedInOperator, type SignedInOperator } from './support/operators.js';
import { eventually, startStack, type Stack, type Tenants } from './support/stack.js';

const GWANGHWAMUN = { address: '서울특별시 종로구 세종대로 172', point: { lng: 126.9769, lat: 37.5759 } };

/**
 * The dashboard's phone orders on dispatch, through the three built services: a session (or the agency key) enters
 * an order that dispatch forwards to order-intake with its Idempotency-Key, for every role and for another agency's
 * operator, and a retry across an intake restart makes one order.
 */
describe('orders entered on dispatch for the dashboard (system, fake Kakao)', () => {
  const kakao = new FakeKakao();
  let stack: Stack;
  let tenants: Tenants;
  let other: Tenants;
  const as: Partial<Record<'owner' | 'dispatcher' | 'viewer' | 'stranger', SignedInOperator>> = {};

  const dispatch = (method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}) =>
    call(stack.url('dispatch'), method, `/v1/agencies/${tenants.agency.agencyId}${path}`, token, body, headers);
  const phoneOrder = (overrides: Record<string, unknown> = {}) => ({
    restaurantId: tenants.restaurant.restaurantId,
    externalOrderId: `phone-${randomUUID()}`,
    dropoff: { address: GWANGHWAMUN.address, ...GWANGHWAMUN.point, detail: '3층' },
    customer: { phone: '010-1234-5678' },
    items: [{ name: '칼국수', quantity: 2, unitPrice: 9000 }],
    orderAmount: 18000,
    cookingMinutes: 10,
    payment: { method: 'cash', collectAmount: 21000 },
    ...overrides,
  });
  const enter = (token: string | undefined, body: unknown = phoneOrder(), key: string | null = randomUUID()) =>
    dispatch('POST', '/orders', token, body, key === null ? {} : { 'idempotency-key': key });
  const deliveriesOf = async (orderId: string) => {
    const board = await dispatch('GET', '/deliveries?limit=200', tenants.agency.apiKey);
    return (board.body.deliveries as Array<{ orderId: string; enteredBy: string; customerPhone: string }>).filter((d) => d.orderId === orderId);
  };

  beforeAll(async () => {
    await kakao.start();
    kakao.places.set(GWANGHWAMUN.address, GWANGHWAMUN.point);
    stack = await startStack({ transport: 'tcp', env: fakeProvidersEnv({ kakao }) });
    tenants = await stack.tenants('전화 주문 대행', []);
    other = await stack.tenants('다른 대행', []);
    for (const role of ['owner', 'dispatcher', 'viewer'] as const) as[role] = await signedInOperator(stack.url('dispatch'), tenants.agency, role);
    as.stranger = await signedInOperator(stack.url('dispatch'), other.agency, 'owner');
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    await kakao.stop();
  });

  it('takes an order from an owner, a dispatcher and the agency key, and refuses a viewer, another agency and no one', async () => {
    for (const token of [as.owner!.token, as.dispatcher!.token, tenants.agency.apiKey]) {
      const answer = await enter(token);
      expect(answer).toEqual({ status: 202, body: { orderId: expect.any(String), status: 'received' } });
    }
    const viewer = await enter(as.viewer!.token);
    expect(viewer).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN', details: { role: 'viewer', required: 'dispatcher' } } } });
    expect(await enter(as.stranger!.token)).toMatchObject({ status: 404, body: { error: { code: 'AGENCY_NOT_FOUND' } } });
    expect(await enter(other.agency.apiKey)).toMatchObject({ status: 404, body: { error: { code: 'AGENCY_NOT_FOUND' } } });
    expect(await enter(undefined)).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED' } } });
  });

  it("refuses what intake refuses, naming the field: no Idempotency-Key, a bad body, another agency's restaurant", async () => {
    const noKey = await enter(as.dispatcher!.token, phoneOrder(), null);
    expect(noKey).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'Idempotency-Key' })] } } });
    const bad = await enter(as.dispatcher!.token, phoneOrder({ orderAmount: -1, payment: { method: 'cash' } }));
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field)).toEqual(expect.arrayContaining(['orderAmount', 'payment.collectAmount']));
    const foreign = await enter(as.dispatcher!.token, phoneOrder({ restaurantId: other.restaurant.restaurantId }));
    expect(foreign).toMatchObject({ status: 404, body: { error: { code: 'RESTAURANT_NOT_FOUND', details: { field: 'restaurantId' } } } });
  });

  it('makes one order of retries with one key across an intake and a dispatch restart, marked and audited as the operator', async () => {
    const key = `call-${randomUUID()}`;
    const body = phoneOrder();
    await stack.kill('intake');
    const down = await enter(as.dispatcher!.token, body, key);
    expect(down).toMatchObject({ status: 503, body: { error: { code: 'UPSTREAM_UNAVAILABLE' } } });
    await stack.start('intake');
    const first = await enter(as.dispatcher!.token, body, key);
    expect(first.status).toBe(202);
    const again = await enter(as.dispatcher!.token, body, key);
    expect(again).toEqual(first);
    // Dispatch restarting between a send and its retry changes nothing either.
    await stack.kill('dispatch', 'SIGKILL');
    await stack.start('dispatch');
    expect(await enter(as.dispatcher!.token, body, key)).toEqual(first);

    const [delivery] = await eventually(async () => {
      const found = await deliveriesOf(first.body.orderId);
      return found.length ? found : undefined;
    }, 'the entered order on the board', 30_000);
    expect(await deliveriesOf(first.body.orderId)).toHaveLength(1);
    expect(delivery).toMatchObject({ enteredBy: 'operator', customerPhone: '010-****-5678' });
    const seen = await tenants.restaurant.order<{ enteredBy: string }>(first.body.orderId);
    expect(seen.enteredBy).toBe('operator');
    const [row] = await stack.databases.intake.query('SELECT entered_by_operator_id FROM intake.orders WHERE id = $1', [first.body.orderId]);
    expect(row.entered_by_operator_id).toBe(as.dispatcher!.id);

    const audit = await dispatch('GET', `/audit-log?action=order.entered&actor=${as.dispatcher!.id}`, as.owner!.token);
    const entries = audit.body.entries.filter((e: { subject: string }) => e.subject === first.body.orderId);
    expect(entries).toEqual([expect.objectContaining({ actor: `dispatcher 김 <${as.dispatcher!.email}>`, details: expect.objectContaining({ idempotencyKey: key }) })]);
  }, 90_000);

  it("lists the agency's restaurants to every role, and geocodes for those who may enter orders, saying who placed it", async () => {
    for (const token of [as.owner!.token, as.dispatcher!.token, as.viewer!.token]) {
      const listed = await dispatch('GET', '/order-entry/restaurants', token);
      expect(listed).toEqual({ status: 200, body: { restaurants: [expect.objectContaining({ id: tenants.restaurant.restaurantId, name: '테스트 식당', lng: 126.978, lat: 37.5665 })] } });
    }
    expect((await dispatch('GET', '/order-entry/restaurants', as.stranger!.token)).status).toBe(404);

    const placed = await dispatch('POST', '/order-entry/geocode', as.dispatcher!.token, { address: GWANGHWAMUN.address });
    expect(placed).toMatchObject({ status: 200, body: { ...GWANGHWAMUN.point, provider: 'kakao' } });
    expect(await dispatch('POST', '/order-entry/geocode', as.viewer!.token, { address: GWANGHWAMUN.address })).toMatchObject({ status: 403 });
    expect(await dispatch('POST', '/order-entry/geocode', as.stranger!.token, { address: GWANGHWAMUN.address })).toMatchObject({ status: 404 });
    const unknown = await dispatch('POST', '/order-entry/geocode', as.dispatcher!.token, { address: '서울특별시 어딘가 없는로 999' });
    expect(unknown).toMatchObject({ status: 422, body: { error: { code: 'ADDRESS_NOT_FOUND' } } });
    expect(await dispatch('POST', '/order-entry/geocode', as.dispatcher!.token, { address: '' })).toMatchObject({ status: 400, body: { error: { details: [expect.objectContaining({ field: 'address' })] } } });
  });
});
