import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { startService } from '#platform';
import { Restaurant, type RestaurantCredentials } from '../../../../test/support/actors.js';
import { eventually } from '../../../../test/support/eventually.js';
import { orderBody } from '../../../order-intake/test/intake-harness.js';
import { IntakeModule } from '../../../order-intake/src/intake.module.js';
import { startDispatch, type DispatchHarness } from '../../test/dispatch-harness.js';

// A viewer's session costs two scrypt hashes, slow on a machine busy with the other suites.
jest.setTimeout(240_000);

const SHOP = { name: '을지로 칼국수', address: '서울 중구 을지로 100', lng: 126.9882, lat: 37.5662 };

/**
 * An agency's hands on its restaurants, on dispatch's routes (key or session) passed to order-intake, which keeps
 * restaurants: both services' real modules on one real PostgreSQL. A disabled restaurant's webhooks, API key and
 * phone orders are refused with RESTAURANT_DISABLED until it is enabled; every change reaches the audit log.
 */
describe('managing restaurants (component, real PostgreSQL, dispatch and intake)', () => {
  let h: DispatchHarness;
  let intake: INestApplication;
  let intakeUrl: string;

  beforeAll(async () => {
    h = await startDispatch({ withFee: false, env: { AUTH_FAILURES_PER_ADDRESS: '1000' } });
    intake = await startService({ service: 'intake', module: IntakeModule.forRoot(h.config, h.databaseUrl), config: h.config, bodyParser: false });
    intakeUrl = `http://127.0.0.1:${h.config.httpPorts.intake}`;
  });

  afterAll(async () => {
    await intake?.close();
    await h?.close();
  });

  const call = async (method: string, url: string, token: string | undefined, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(url.startsWith('http') ? url : `${h.dispatchUrl}${url}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };

  const audit = async (agency: { agencyId: string; apiKey: string }, subject: string, count: number) =>
    eventually(async () => {
      const { body } = await call('GET', `/v1/agencies/${agency.agencyId}/audit-log`, agency.apiKey);
      const entries = (body.entries as Array<{ subject: string }>).filter((e) => e.subject === subject);
      return entries.length >= count ? entries : undefined;
    }, `${count} audit entries about ${subject}`);

  it('creates, lists and edits restaurants, refusing bad fields and another agency, and audits each change', async () => {
    const agency = await h.agency();
    const other = await h.agency();
    const base = `/v1/agencies/${agency.agencyId}/restaurants`;
    const created = await call('POST', base, agency.apiKey, { ...SHOP, defaultCookingMinutes: 12 });
    expect(created).toEqual({
      status: 201,
      body: expect.objectContaining({ id: expect.any(String), ...SHOP, disabled: false, defaultCookingMinutes: 12, webhookSecret: expect.stringMatching(/^whsec_/), apiKey: expect.stringMatching(/^rk_/) }),
    });
    const id = created.body.id as string;

    const list = await call('GET', base, agency.apiKey);
    expect(list.body.restaurants).toEqual([expect.objectContaining({ id, name: SHOP.name, disabled: false, disabledAt: null })]);
    expect(JSON.stringify(list.body)).not.toMatch(/whsec_|rk_/);
    expect((await call('GET', `/v1/agencies/${other.agencyId}/restaurants`, other.apiKey)).body).toEqual({ restaurants: [] });

    const edited = await call('PATCH', `${base}/${id}`, agency.apiKey, { name: '을지로 칼국수 본점', defaultCookingMinutes: null, unknown: 1 });
    expect(edited.body).toMatchObject({ id, name: '을지로 칼국수 본점', address: SHOP.address, defaultCookingMinutes: null });

    const bad = await call('PATCH', `${base}/${id}`, agency.apiKey, { lng: 37.56, lat: 126.98, name: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['lat', 'lng', 'name']);
    const refusedCreate = await call('POST', base, agency.apiKey, { name: '주소 없음', lng: 126.98, lat: 37.56 });
    expect(refusedCreate.status).toBe(400);
    expect(refusedCreate.body.error.details).toEqual([expect.objectContaining({ field: 'address' })]);
    expect((await call('GET', base, agency.apiKey)).body.restaurants).toHaveLength(1);

    expect((await call('PATCH', `/v1/agencies/${other.agencyId}/restaurants/${id}`, other.apiKey, { name: '가로채기' })).body.error.code).toBe('RESTAURANT_NOT_FOUND');
    expect((await call('POST', `/v1/agencies/${other.agencyId}/restaurants/${id}/disable`, other.apiKey)).status).toBe(404);
    expect((await call('POST', `${base}/not-a-uuid/disable`, agency.apiKey)).status).toBe(404);
    expect((await call('GET', base, other.apiKey)).status).toBe(404);

    const entries = await audit(agency, id, 2);
    expect(entries).toEqual([
      expect.objectContaining({ action: 'restaurant.edited', actor: 'agency API key', operatorId: null, details: { before: { name: SHOP.name, defaultCookingMinutes: 12 }, after: { name: '을지로 칼국수 본점', defaultCookingMinutes: null } } }),
      expect.objectContaining({ action: 'restaurant.created', actor: 'agency API key', details: { name: SHOP.name } }),
    ]);
  });

  it("refuses a disabled restaurant's order, ready and delay webhooks, its API key and its phone orders with RESTAURANT_DISABLED; enabling restores them", async () => {
    const agency = await h.agency();
    const base = `/v1/agencies/${agency.agencyId}/restaurants`;
    const created = (await call('POST', base, agency.apiKey, SHOP)).body as Omit<RestaurantCredentials, 'restaurantId'> & { id: string };
    const pos = new Restaurant(intakeUrl, { ...created, restaurantId: created.id });
    const before = await pos.send();
    expect(before.status).toBe(202);
    const phoneOrder = () =>
      call('POST', `${intakeUrl}/v1/agencies/${agency.agencyId}/orders`, agency.apiKey, orderBody({ restaurantId: created.id }), { 'idempotency-key': randomUUID() });
    // Intake learns the agency's key from dispatch's announcement.
    await eventually(async () => ((await phoneOrder()).status === 202 ? true : undefined), 'the agency key working on intake');

    const disabled = await call('POST', `${base}/${created.id}/disable`, agency.apiKey);
    expect(disabled.body).toMatchObject({ id: created.id, disabled: true, disabledAt: expect.any(String) });
    expect((await call('POST', `${base}/${created.id}/disable`, agency.apiKey)).body.disabledAt).toBe(disabled.body.disabledAt);

    const refusedOrder = await pos.send();
    expect(refusedOrder.status).toBe(403);
    expect(refusedOrder.body).toMatchObject({ error: { code: 'RESTAURANT_DISABLED', details: { disabledAt: disabled.body.disabledAt } } });
    expect(await pos.timing(before.body.orderId, 'ready')).toMatchObject({ status: 403, body: { error: { code: 'RESTAURANT_DISABLED' } } });
    expect(await pos.timing(before.body.orderId, 'delay', { minutes: 10 })).toMatchObject({ status: 403, body: { error: { code: 'RESTAURANT_DISABLED' } } });
    expect(await pos.order(before.body.orderId)).toMatchObject({ error: { code: 'RESTAURANT_DISABLED' } });
    expect(await phoneOrder()).toMatchObject({ status: 403, body: { error: { code: 'RESTAURANT_DISABLED' } } });
    // A wrong signature still learns nothing: the restaurant is named disabled only to the restaurant itself.
    const forged = new Restaurant(intakeUrl, { ...created, restaurantId: created.id, webhookSecret: `whsec_${Buffer.alloc(32, 1).toString('base64')}` });
    expect((await forged.send()).status).toBe(401);

    expect((await call('POST', `${base}/${created.id}/enable`, agency.apiKey)).body).toMatchObject({ disabled: false, disabledAt: null });
    expect((await pos.send()).status).toBe(202);
    expect(await pos.order(before.body.orderId)).toMatchObject({ orderId: before.body.orderId });
    expect((await pos.timing(before.body.orderId, 'ready')).status).toBe(200);
    expect((await phoneOrder()).status).toBe(202);

    const entries = await audit(agency, created.id, 3);
    expect(entries.map((e) => (e as unknown as { action: string }).action)).toEqual(['restaurant.enabled', 'restaurant.disabled', 'restaurant.created']);
  });

  it('lets a viewer list restaurants but not change them, and names the operator in the audit log', async () => {
    const agency = await h.agency();
    const email = `viewer-${randomUUID().slice(0, 8)}@hangang.example`;
    const invite = await call('POST', `/v1/agencies/${agency.agencyId}/operator-invites`, agency.apiKey, { email, role: 'viewer' });
    const password = `비밀번호-${randomUUID()}`;
    await call('POST', '/v1/operator-invites/accept', undefined, { token: invite.body.inviteToken, name: '보기 김', password });
    const session = (await call('POST', '/v1/operator-sessions', undefined, { email, password })).body.token as string;
    const base = `/v1/agencies/${agency.agencyId}/restaurants`;
    const { id } = (await call('POST', base, agency.apiKey, SHOP)).body as { id: string };

    expect((await call('GET', base, session)).body.restaurants).toEqual([expect.objectContaining({ id })]);
    const refused = await call('POST', `${base}/${id}/disable`, session);
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN', details: { role: 'viewer', required: 'owner' } } } });
    expect((await call('POST', base, session, SHOP)).status).toBe(403);
    expect((await call('GET', base, session)).body.restaurants).toEqual([expect.objectContaining({ id, disabled: false })]);

    const owner = `owner-${randomUUID().slice(0, 8)}@hangang.example`;
    const ownerInvite = await call('POST', `/v1/agencies/${agency.agencyId}/operator-invites`, agency.apiKey, { email: owner, role: 'owner' });
    await call('POST', '/v1/operator-invites/accept', undefined, { token: ownerInvite.body.inviteToken, name: '주인 박', password });
    const ownerSession = (await call('POST', '/v1/operator-sessions', undefined, { email: owner, password })).body.token as string;
    expect((await call('POST', `${base}/${id}/disable`, ownerSession)).body).toMatchObject({ disabled: true });
    const [entry] = await audit(agency, id, 2);
    expect(entry).toMatchObject({ action: 'restaurant.disabled', actor: `주인 박 <${owner}>`, operatorId: expect.any(String) });
  });
});
