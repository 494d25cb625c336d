import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { orderEvent, startDispatch, type DispatchHarness } from '../../test/dispatch-harness.js';

/** Operator accounts over HTTP on the real dispatch module and PostgreSQL: invites, roles, sessions, the audit log. */
// Each person costs two scrypt hashes (128 MiB each), slow on a machine busy with the other suites.
jest.setTimeout(240_000);

describe('operator accounts (component, real PostgreSQL)', () => {
  let h: DispatchHarness;

  beforeAll(async () => {
    h = await startDispatch({ withFee: false, env: { LOGIN_FAILURES_PER_ACCOUNT: '3', AUTH_FAILURES_PER_ADDRESS: '1000' } });
  });

  afterAll(async () => {
    await h?.close();
  });

  const call = async (method: string, path: string, token?: string, body?: unknown) => {
    const response = await fetch(`${h.dispatchUrl}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };

  /** Invites a person with the agency key, accepts the invite and signs in: their session token. */
  const person = async (agency: { agencyId: string; apiKey: string }, role: string) => {
    const email = `${role}-${randomUUID().slice(0, 8)}@hangang.example`;
    const invite = await call('POST', `/v1/agencies/${agency.agencyId}/operator-invites`, agency.apiKey, { email, role });
    expect(invite.status).toBe(201);
    const password = `비밀번호-${randomUUID()}`;
    const accepted = await call('POST', '/v1/operator-invites/accept', undefined, { token: invite.body.inviteToken, name: `${role} 김`, password });
    expect(accepted.status).toBe(201);
    const session = await call('POST', '/v1/operator-sessions', undefined, { email: email.toUpperCase(), password });
    expect(session.status).toBe(201);
    expect(session.body).toMatchObject({ agencyId: agency.agencyId, operator: { email, role, disabled: false } });
    return { token: session.body.token as string, id: accepted.body.operator.id as string, email, password };
  };

  it('lets each role do what it may, and answers another role FORBIDDEN naming both roles', async () => {
    const agency = await h.agency();
    const [owner, dispatcher, viewer] = [await person(agency, 'owner'), await person(agency, 'dispatcher'), await person(agency, 'viewer')];
    const base = `/v1/agencies/${agency.agencyId}`;
    const unknownDelivery = `${base}/deliveries/${randomUUID()}/cancel`;

    for (const who of [owner, dispatcher, viewer]) expect((await call('GET', `${base}/riders`, who.token)).status).toBe(200);
    expect((await call('GET', `${base}/deliveries`, viewer.token)).status).toBe(200);

    const refused = await call('POST', unknownDelivery, viewer.token);
    expect(refused).toEqual({ status: 403, body: { error: { code: 'FORBIDDEN', message: expect.any(String), details: { role: 'viewer', required: 'dispatcher' } } } });
    // Past the guard, a dispatcher's cancel reaches the delivery (here: none by that id).
    expect((await call('POST', unknownDelivery, dispatcher.token)).body.error.code).toBe('DELIVERY_NOT_FOUND');
    expect((await call('POST', unknownDelivery, owner.token)).body.error.code).toBe('DELIVERY_NOT_FOUND');

    const settings = { offerPolicy: 'broadcast', broadcastSize: 3 };
    expect((await call('PUT', `${base}/dispatch-settings`, dispatcher.token, settings)).body.error.details).toEqual({ role: 'dispatcher', required: 'owner' });
    expect((await call('PUT', `${base}/dispatch-settings`, viewer.token, settings)).status).toBe(403);
    expect((await call('PUT', `${base}/dispatch-settings`, owner.token, settings)).status).toBe(200);

    for (const who of [dispatcher, viewer]) {
      expect((await call('GET', `${base}/operators`, who.token)).status).toBe(403);
      expect((await call('GET', `${base}/audit-log`, who.token)).status).toBe(403);
      expect((await call('POST', `${base}/operator-invites`, who.token, { email: 'x@y.example', role: 'owner' })).status).toBe(403);
    }
    const listed = await call('GET', `${base}/operators`, owner.token);
    expect(listed.body.operators.map((o: { role: string }) => o.role).sort()).toEqual(['dispatcher', 'owner', 'viewer']);
    expect(JSON.stringify(listed.body)).not.toContain('scrypt');
  });

  it("answers another agency's operator exactly as it answers a key for an agency that does not exist", async () => {
    const mine = await h.agency();
    const theirs = await h.agency('다른 대행');
    const stranger = await person(theirs, 'owner');
    for (const path of ['/riders', '/operators', '/audit-log', '/deliveries']) {
      const asStranger = await call('GET', `/v1/agencies/${mine.agencyId}${path}`, stranger.token);
      const noSuchAgency = await call('GET', `/v1/agencies/${randomUUID()}${path}`, stranger.token);
      expect(asStranger.status).toBe(404);
      expect(asStranger.body.error.code).toBe('AGENCY_NOT_FOUND');
      expect(noSuchAgency.body.error.code).toBe('AGENCY_NOT_FOUND');
    }
    expect((await call('POST', `/v1/agencies/${mine.agencyId}/operators/${stranger.id}/disable`, mine.apiKey)).body.error.code).toBe('OPERATOR_NOT_FOUND');
  });

  it('ends sessions on sign-out, on revocation, when idle too long and at their absolute end', async () => {
    const agency = await h.agency();
    const base = `/v1/agencies/${agency.agencyId}`;
    const owner = await person(agency, 'owner');
    const riders = (token: string) => call('GET', `${base}/riders`, token).then((r) => r.status);

    const leaving = await person(agency, 'dispatcher');
    expect((await call('GET', '/v1/operator-sessions/current', leaving.token)).body).toMatchObject({ operatorId: leaving.id, role: 'dispatcher' });
    expect((await call('DELETE', '/v1/operator-sessions/current', leaving.token)).status).toBe(204);
    expect(await riders(leaving.token)).toBe(401);

    const lostPhone = await person(agency, 'dispatcher');
    const revoked = await call('POST', `${base}/operators/${lostPhone.id}/revoke-sessions`, owner.token);
    expect(revoked.status).toBe(200);
    expect(await riders(lostPhone.token)).toBe(401);
    // They may sign in again.
    const again = await call('POST', '/v1/operator-sessions', undefined, { email: lostPhone.email, password: lostPhone.password });
    expect(await riders(again.body.token)).toBe(200);

    const demoted = await call('PUT', `${base}/operators/${lostPhone.id}/role`, owner.token, { role: 'viewer' });
    expect(demoted.body).toMatchObject({ role: 'viewer' });
    expect((await call('POST', `${base}/deliveries/${randomUUID()}/cancel`, again.body.token)).status).toBe(403);

    expect((await call('POST', `${base}/operators/${lostPhone.id}/disable`, owner.token)).body).toMatchObject({ disabled: true });
    expect(await riders(again.body.token)).toBe(401);
    expect((await call('POST', '/v1/operator-sessions', undefined, { email: lostPhone.email, password: lostPhone.password })).status).toBe(401);

    const idle = await person(agency, 'viewer');
    expect(await riders(idle.token)).toBe(200);
    await h.query(`UPDATE dispatch.operator_sessions s SET last_seen_at = now() - interval '31 minutes' FROM dispatch.operators o WHERE o.id = s.operator_id AND o.email = $1`, [idle.email]);
    expect(await riders(idle.token)).toBe(401);

    const old = await person(agency, 'viewer');
    await h.query(`UPDATE dispatch.operator_sessions s SET expires_at = now() - interval '1 second' FROM dispatch.operators o WHERE o.id = s.operator_id AND o.email = $1`, [old.email]);
    expect(await riders(old.token)).toBe(401);

    const stored = await h.query<{ token_hash: string }>(`SELECT token_hash FROM dispatch.operator_sessions`);
    expect(stored.every((s) => /^[0-9a-f]{64}$/.test(s.token_hash))).toBe(true);
  });

  it('refuses an invite used twice and an address or account past its failed sign-ins', async () => {
    const agency = await h.agency();
    const invite = await call('POST', `/v1/agencies/${agency.agencyId}/operator-invites`, agency.apiKey, { email: 'twice@hangang.example', role: 'viewer' });
    const accept = { token: invite.body.inviteToken, name: '두번 김', password: 'long-enough-password' };
    expect((await call('POST', '/v1/operator-invites/accept', undefined, accept)).status).toBe(201);
    expect((await call('POST', '/v1/operator-invites/accept', undefined, accept)).body.error.code).toBe('INVITE_NOT_FOUND');
    expect((await call('POST', '/v1/operator-invites/accept', undefined, { ...accept, password: 'short' })).body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ field: 'password', value: 'short', reason: 'must be 10 to 200 characters' }],
    });

    const target = await person(agency, 'owner');
    for (let i = 0; i < 3; i++) expect((await call('POST', '/v1/operator-sessions', undefined, { email: target.email, password: `wrong-${i}` })).status).toBe(401);
    const locked = await call('POST', '/v1/operator-sessions', undefined, { email: target.email, password: target.password });
    expect(locked.status).toBe(429);
    expect(locked.body.error).toMatchObject({ code: 'TOO_MANY_ATTEMPTS', details: { retryAfterSeconds: expect.any(Number) } });
  });

  it('records every change to people with who did it, in a log filtered by actor, action and time, page by page', async () => {
    const agency = await h.agency();
    const base = `/v1/agencies/${agency.agencyId}`;
    const owner = await person(agency, 'owner');
    const viewer = await person(agency, 'viewer');
    await call('PUT', `${base}/operators/${viewer.id}/role`, owner.token, { role: 'dispatcher' });
    await call('POST', `${base}/operators/${viewer.id}/revoke-sessions`, owner.token);
    await call('POST', `${base}/operators/${viewer.id}/disable`, owner.token);

    const all = await call('GET', `${base}/audit-log`, agency.apiKey);
    expect(all.body.entries.map((e: { action: string }) => e.action)).toEqual([
      'operator.disabled',
      'operator.sessions-revoked',
      'operator.role-changed',
      'operator.invited',
      'operator.invited',
    ]);
    expect(all.body.entries[2]).toMatchObject({ operatorId: owner.id, actor: `owner 김 <${owner.email}>`, subject: viewer.email, details: { from: 'viewer', to: 'dispatcher' } });
    expect(all.body.entries[4]).toMatchObject({ operatorId: null, actor: 'agency API key', subject: owner.email, details: { role: 'owner' } });

    const byKey = await call('GET', `${base}/audit-log?actor=key`, owner.token);
    expect(byKey.body.entries.map((e: { subject: string }) => e.subject)).toEqual([viewer.email, owner.email]);
    const byOwner = await call('GET', `${base}/audit-log?actor=${owner.id}&action=operator.disabled`, owner.token);
    expect(byOwner.body.entries).toHaveLength(1);
    const future = await call('GET', `${base}/audit-log?from=${new Date(Date.now() + 60_000).toISOString()}`, owner.token);
    expect(future.body).toEqual({ entries: [], nextBefore: null });

    const first = await call('GET', `${base}/audit-log?limit=2`, owner.token);
    const second = await call('GET', `${base}/audit-log?limit=2&before=${first.body.nextBefore}`, owner.token);
    const third = await call('GET', `${base}/audit-log?limit=2&before=${second.body.nextBefore}`, owner.token);
    expect([...first.body.entries, ...second.body.entries, ...third.body.entries]).toEqual(all.body.entries);
    expect(third.body.nextBefore).toBeNull();

    const bad = await call('GET', `${base}/audit-log?action=rider.eaten&limit=0&from=yesterday`, owner.token);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['action', 'from', 'limit']);
  });

  it("records each hand on a delivery and the settings with who did it, in the step's own transaction", async () => {
    const agency = await h.agency();
    const base = `/v1/agencies/${agency.agencyId}`;
    const dispatcher = await person(agency, 'dispatcher');
    const viewer = await person(agency, 'viewer');
    const first = await h.rider(agency.agencyId, '김라이더');
    const second = await h.rider(agency.agencyId, '이라이더');
    const order = orderEvent(agency.agencyId);
    await h.publish(order);
    const delivery = await h.deliveryOf(order.orderId);
    const step = (path: string, body?: unknown, token = dispatcher.token) => call('POST', `${base}/deliveries/${delivery.id}/${path}`, token, body);

    expect((await step('assign', { riderId: first.riderId })).status).toBe(200);
    expect((await step('reassign', { riderId: second.riderId, reason: '가까운 라이더' })).status).toBe(200);
    expect((await step('unassign', { hold: true })).status).toBe(200);
    expect((await step('release')).status).toBe(200);
    expect((await step('cancel', undefined, viewer.token)).status).toBe(403);
    expect((await call('PUT', `${base}/dispatch-settings`, agency.apiKey, { broadcastSize: 4 })).status).toBe(200);

    // The log refusing to write takes the step down with it: the delivery is not cancelled.
    await h.query(`CREATE FUNCTION dispatch.refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit refused'; END $$`);
    await h.query(`CREATE TRIGGER refuse_audit BEFORE INSERT ON dispatch.audit_log FOR EACH ROW EXECUTE FUNCTION dispatch.refuse_audit()`);
    try {
      expect((await step('cancel')).status).toBe(500);
    } finally {
      await h.query(`DROP TRIGGER refuse_audit ON dispatch.audit_log`);
      await h.query(`DROP FUNCTION dispatch.refuse_audit()`);
    }
    expect((await h.query<{ status: string }>(`SELECT status FROM dispatch.deliveries WHERE id = $1`, [delivery.id]))[0].status).toBe('pending');
    expect((await step('cancel')).status).toBe(200);

    const log = await call('GET', `${base}/audit-log?limit=200`, agency.apiKey);
    const steps = log.body.entries.filter((e: { action: string }) => !e.action.startsWith('operator.')).reverse();
    expect(steps.map((e: { action: string; actor: string }) => [e.action, e.actor])).toEqual([
      ['delivery.assigned', `dispatcher 김 <${dispatcher.email}>`],
      ['delivery.reassigned', `dispatcher 김 <${dispatcher.email}>`],
      ['delivery.unassigned', `dispatcher 김 <${dispatcher.email}>`],
      ['delivery.released', `dispatcher 김 <${dispatcher.email}>`],
      ['settings.changed', 'agency API key'],
      ['delivery.cancelled', `dispatcher 김 <${dispatcher.email}>`],
    ]);
    expect(steps[1]).toMatchObject({ subject: delivery.id, details: { orderId: order.orderId, riderId: second.riderId, reason: '가까운 라이더' } });
    expect(steps[2].details).toMatchObject({ hold: true });
    expect(steps[4]).toMatchObject({ subject: agency.agencyId, details: { broadcastSize: 4 } });
  });
});
