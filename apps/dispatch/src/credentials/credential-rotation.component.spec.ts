import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { startService } from '#platform';
import { queryRows } from '../../../../test/support/database.js';
import { IntakeModule } from '../../../order-intake/src/intake.module.js';
import { provisionRestaurant } from '../../../order-intake/src/restaurants/restaurants.provisioning.js';
import { webhookHeaders } from '../../../order-intake/src/webhooks/webhook-signature.js';
import { eventually, startDispatch, type DispatchHarness } from '../../test/dispatch-harness.js';

// Each operator costs two scrypt hashes (128 MiB each), slow on a machine busy with the other suites.
jest.setTimeout(240_000);

const HOUR_MS = 3_600_000;

/**
 * Rotating the agency key and riders' tokens over HTTP on the real dispatch and fee modules and PostgreSQL: the
 * overlap window, an immediate revoke, who may rotate, the audit log, and fee following the agency key. "After the
 * window" is reached by moving its end into the past in the database, as the clock would.
 */
describe('rotating agency keys and rider tokens (component, real PostgreSQL)', () => {
  let h: DispatchHarness;

  beforeAll(async () => {
    h = await startDispatch({ env: { AUTH_FAILURES_PER_ADDRESS: '1000', RIDER_RECHECK_INTERVAL_MS: '200' } });
  });

  afterAll(async () => {
    await h?.close();
  });

  const call = async (method: string, path: string, token?: string, body?: unknown, base = h.dispatchUrl) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  const feeUrl = () => `http://127.0.0.1:${h.config.httpPorts.fee}`;
  const dispatchStatus = async (agencyId: string, key: string) => (await call('GET', `/v1/agencies/${agencyId}/riders`, key)).status;
  const feeStatus = async (agencyId: string, key: string) => (await call('GET', `/v1/agencies/${agencyId}/tariff`, key, undefined, feeUrl())).status;

  /** Invites a person with the agency key, accepts the invite and signs in: their session token. */
  const person = async (agency: { agencyId: string; apiKey: string }, role: string) => {
    const email = `${role}-${randomUUID().slice(0, 8)}@hangang.example`;
    const invite = await call('POST', `/v1/agencies/${agency.agencyId}/operator-invites`, agency.apiKey, { email, role });
    const password = `비밀번호-${randomUUID()}`;
    await call('POST', '/v1/operator-invites/accept', undefined, { token: invite.body.inviteToken, name: `${role} 김`, password });
    const session = await call('POST', '/v1/operator-sessions', undefined, { email, password });
    expect(session.status).toBe(201);
    return { token: session.body.token as string, email };
  };

  it('keeps the old agency key working on dispatch and fee during the window; a revoke refuses it at once, everywhere', async () => {
    const agency = await h.agency();
    await eventually(async () => (await feeStatus(agency.agencyId, agency.apiKey)) === 200, 'fee to know the agency', 30_000);

    const first = await call('POST', `/v1/agencies/${agency.agencyId}/api-key/rotate`, agency.apiKey);
    expect(first).toEqual({
      status: 200,
      body: { credential: 'agency-key', id: agency.agencyId, secret: expect.stringMatching(/^ak_[\w-]{32}$/), rotatedAt: expect.any(String), previousValidUntil: expect.any(String) },
    });
    expect(Date.parse(first.body.previousValidUntil) - Date.parse(first.body.rotatedAt)).toBe(24 * HOUR_MS);
    const k1 = first.body.secret as string;
    expect(await dispatchStatus(agency.agencyId, agency.apiKey)).toBe(200);
    expect(await dispatchStatus(agency.agencyId, k1)).toBe(200);
    await eventually(async () => (await feeStatus(agency.agencyId, k1)) === 200, 'fee to take the new key', 30_000);
    expect(await feeStatus(agency.agencyId, agency.apiKey)).toBe(200);
    expect((await call('GET', `/v1/agencies/${agency.agencyId}/api-key`, k1)).body).toEqual({ rotations: 1, previousValidUntil: first.body.previousValidUntil, previousValid: true });

    const revoke = await call('POST', `/v1/agencies/${agency.agencyId}/api-key/rotate`, k1, { overlapHours: 0 });
    expect(revoke.status).toBe(200);
    expect(revoke.body.previousValidUntil).toBe(revoke.body.rotatedAt);
    const k2 = revoke.body.secret as string;
    // The first key was dropped by the second rotation, the second refused at once.
    expect(await dispatchStatus(agency.agencyId, agency.apiKey)).toBe(401);
    expect(await dispatchStatus(agency.agencyId, k1)).toBe(401);
    expect(await dispatchStatus(agency.agencyId, k2)).toBe(200);
    await eventually(async () => (await feeStatus(agency.agencyId, k2)) === 200 && (await feeStatus(agency.agencyId, k1)) === 401, 'fee to follow the revoke', 30_000);
    expect(await feeStatus(agency.agencyId, agency.apiKey)).toBe(401);

    const log = await call('GET', `/v1/agencies/${agency.agencyId}/audit-log?action=key.rotated`, k2);
    expect(log.body.entries).toEqual([
      expect.objectContaining({ actor: 'agency API key', action: 'key.rotated', subject: agency.agencyId, details: { credential: 'agency-key', previousValidUntil: revoke.body.previousValidUntil } }),
      expect.objectContaining({ actor: 'agency API key', action: 'key.rotated', subject: agency.agencyId, details: { credential: 'agency-key', previousValidUntil: first.body.previousValidUntil } }),
    ]);
    const announced = await h.dataSource.query(`SELECT pattern, payload->>'keyVersion' AS version FROM dispatch.outbox WHERE payload->>'agencyId' = $1 AND pattern LIKE 'agency.key-rotated%' ORDER BY id`, [agency.agencyId]);
    expect(announced).toEqual([
      { pattern: 'agency.key-rotated', version: '1' },
      { pattern: 'agency.key-rotated.intake', version: '1' },
      { pattern: 'agency.key-rotated', version: '2' },
      { pattern: 'agency.key-rotated.intake', version: '2' },
    ]);
  });

  it("keeps a rider's old token connecting during the window and refuses it after; a revoke also closes its open sockets", async () => {
    const agency = await h.agency();
    const rider = await h.rider(agency.agencyId, '교체폰 라이더');
    const base = `/v1/agencies/${agency.agencyId}/riders/${rider.riderId}/token/rotate`;
    const rotated = await call('POST', base, agency.apiKey, { overlapHours: 12 });
    expect(rotated.body).toMatchObject({ credential: 'rider-token', id: rider.riderId, secret: expect.stringMatching(/^rt_/) });
    expect(Date.parse(rotated.body.previousValidUntil) - Date.parse(rotated.body.rotatedAt)).toBe(12 * HOUR_MS);
    const oldDevice = await h.connect(rider.token);
    expect(oldDevice.socket.connected).toBe(true);
    expect((await h.connect(rotated.body.secret)).socket.connected).toBe(true);

    await h.dataSource.query(`UPDATE dispatch.riders SET previous_token_until = now() - interval '1 second' WHERE id = $1`, [rider.riderId]);
    await expect(h.connect(rider.token)).rejects.toThrow();
    const newDevice = await h.connect(rotated.body.secret);

    const closed = new Promise((resolve) => newDevice.socket.once('disconnect', resolve));
    const revoked = await call('POST', base, agency.apiKey, { overlapHours: 0 });
    expect(revoked.status).toBe(200);
    await expect(closed).resolves.toBe('io server disconnect');
    expect(newDevice.events('session:ended')).toContainEqual({
      code: 'UNAUTHENTICATED',
      message: `this rider token was replaced and stopped working at ${revoked.body.previousValidUntil}: use the new one`,
      replacedUntil: revoked.body.previousValidUntil,
    });
    await expect(h.connect(rotated.body.secret)).rejects.toThrow();
    expect((await h.connect(revoked.body.secret)).socket.connected).toBe(true);

    const log = await call('GET', `/v1/agencies/${agency.agencyId}/audit-log?action=key.rotated`, agency.apiKey);
    expect(log.body.entries.map((e: { subject: string; details: { credential: string } }) => [e.subject, e.details.credential])).toEqual([
      [rider.riderId, 'rider-token'],
      [rider.riderId, 'rider-token'],
    ]);
  });

  it('refuses an agency key or a rider token whose window has ended saying it was replaced and when; a made-up one learns nothing', async () => {
    const agency = await h.agency();
    const rider = await h.rider(agency.agencyId, '옛 토큰 라이더');
    await eventually(async () => (await feeStatus(agency.agencyId, agency.apiKey)) === 200, 'fee to know the agency', 30_000);
    // A window of a few seconds, which the clock closes while the test waits.
    const key = await call('POST', `/v1/agencies/${agency.agencyId}/api-key/rotate`, agency.apiKey, { overlapHours: 0.001 });
    const token = await call('POST', `/v1/agencies/${agency.agencyId}/riders/${rider.riderId}/token/rotate`, key.body.secret, { overlapHours: 0.001 });
    // A phone still on the old token, connected within the window.
    const oldPhone = await h.connect(rider.token);
    const replaced = (what: string, until: string) => ({
      code: 'UNAUTHENTICATED',
      message: `this ${what} was replaced and stopped working at ${until}: use the new one`,
      details: { replacedUntil: until },
    });
    const refusedOn = (base: string, path: string) =>
      eventually(async () => {
        const answer = await call('GET', path, agency.apiKey, undefined, base);
        return answer.status === 401 ? answer : undefined;
      }, `the old key refused on ${base}`, 30_000);

    const onDispatch = await refusedOn(h.dispatchUrl, `/v1/agencies/${agency.agencyId}/riders`);
    expect(onDispatch.body.error).toMatchObject(replaced('agency API key', key.body.previousValidUntil));
    const onFee = await refusedOn(feeUrl(), `/v1/agencies/${agency.agencyId}/tariff`);
    expect(onFee.body.error).toMatchObject(replaced('agency API key', key.body.previousValidUntil));
    expect(await dispatchStatus(agency.agencyId, key.body.secret)).toBe(200);

    // Once the window ends, the phone still on the old token is told so and closed.
    await expect(oldPhone.waitFor('session:ended', undefined, 30_000)).resolves.toEqual({
      code: 'UNAUTHENTICATED',
      message: replaced('rider token', token.body.previousValidUntil).message,
      replacedUntil: token.body.previousValidUntil,
    });
    await eventually(async () => (oldPhone.socket.connected ? undefined : true), 'the old phone closed', 15_000);
    await expect(h.connect(rider.token)).rejects.toMatchObject({
      message: 'UNAUTHENTICATED',
      data: { replacedUntil: token.body.previousValidUntil, message: replaced('rider token', token.body.previousValidUntil).message },
    });
    expect((await h.connect(token.body.secret)).socket.connected).toBe(true);

    // Whoever never held the key or token is told nothing about rotations.
    const guessed = await call('GET', `/v1/agencies/${agency.agencyId}/riders`, `ak_${'x'.repeat(32)}`);
    expect(guessed).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED', message: 'unknown API key' } } });
    expect(guessed.body.error.details).toBeUndefined();
    const guessedToken = await h.connect(`rt_${'x'.repeat(32)}`).catch((error: { message: string; data?: unknown }) => error);
    expect(guessedToken).toMatchObject({ message: 'UNAUTHENTICATED' });
    expect((guessedToken as { data?: unknown }).data).toBeUndefined();
  });

  it('lets only an owner rotate; another agency gets 404 and changes nothing; a bad overlap is 400 naming it', async () => {
    const agency = await h.agency();
    const other = await h.agency('남의 대행');
    const rider = await h.rider(agency.agencyId, '라이더');
    const [owner, dispatcher, viewer, othersOwner] = [await person(agency, 'owner'), await person(agency, 'dispatcher'), await person(agency, 'viewer'), await person(other, 'owner')];
    const keyPath = `/v1/agencies/${agency.agencyId}/api-key/rotate`;
    const tokenPath = `/v1/agencies/${agency.agencyId}/riders/${rider.riderId}/token/rotate`;

    for (const who of [dispatcher, viewer]) {
      for (const path of [keyPath, tokenPath]) {
        const refused = await call('POST', path, who.token);
        expect(refused.status).toBe(403);
        expect(refused.body.error).toMatchObject({ code: 'FORBIDDEN', details: { required: 'owner' } });
      }
    }
    expect((await call('POST', keyPath, othersOwner.token)).body.error.code).toBe('AGENCY_NOT_FOUND');
    expect((await call('POST', keyPath, other.apiKey)).body.error.code).toBe('AGENCY_NOT_FOUND');
    expect((await call('POST', tokenPath, othersOwner.token)).body.error.code).toBe('AGENCY_NOT_FOUND');
    expect((await call('POST', `/v1/agencies/${other.agencyId}/riders/${rider.riderId}/token/rotate`, other.apiKey)).body.error.code).toBe('RIDER_NOT_FOUND');
    for (const overlapHours of [-0.5, 500, '24']) {
      const bad = await call('POST', keyPath, owner.token, { overlapHours });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details).toEqual([expect.objectContaining({ field: 'overlapHours', value: overlapHours, reason: 'must be a number of hours from 0 to 168' })]);
    }
    expect(await dispatchStatus(agency.agencyId, agency.apiKey)).toBe(200);
    expect((await h.connect(rider.token)).socket.connected).toBe(true);
    expect(await h.dataSource.query(`SELECT 1 FROM dispatch.audit_log WHERE agency_id = $1 AND action = 'key.rotated'`, [agency.agencyId])).toEqual([]);

    const byOwner = await call('POST', keyPath, owner.token, { overlapHours: 1 });
    expect(byOwner.status).toBe(200);
    const byOwnerToken = await call('POST', tokenPath, owner.token);
    expect(byOwnerToken.status).toBe(200);
    const log = await call('GET', `/v1/agencies/${agency.agencyId}/audit-log?action=key.rotated`, owner.token);
    expect(log.body.entries.map((e: { actor: string; details: { credential: string } }) => [e.actor, e.details.credential])).toEqual([
      [`owner 김 <${owner.email}>`, 'rider-token'],
      [`owner 김 <${owner.email}>`, 'agency-key'],
    ]);
  });

  it("lets an owner's session rotate a restaurant's credentials through order-intake, audited with the operator; no one else", async () => {
    const intake = await startService({ service: 'intake', module: IntakeModule.forRoot(h.config, h.databaseUrl), config: h.config, bodyParser: false });
    const intakeUrl = `http://127.0.0.1:${h.config.httpPorts.intake}`;
    const agency = await h.agency();
    const other = await h.agency('남의 대행');
    const restaurant = await provisionRestaurant(intake.get(DataSource), { agencyId: agency.agencyId, name: '식당', address: '서울 중구 을지로 100', lng: 126.9882, lat: 37.5662 });
    const [owner, dispatcher] = [await person(agency, 'owner'), await person(agency, 'dispatcher')];
    const path = (agencyId: string, what: string) => `/v1/agencies/${agencyId}/restaurants/${restaurant.restaurantId}/${what}/rotate`;
    const sendOrder = async (secret: string) => {
      const body = JSON.stringify({ externalOrderId: `pos-${randomUUID()}`, dropoff: { address: '서울 종로구 세종대로 172', lng: 126.9769, lat: 37.5759 }, customer: { phone: '010-1234-5678' }, items: [{ name: '칼국수', quantity: 1, unitPrice: 9000 }], orderAmount: 9000 });
      const response = await fetch(`${intakeUrl}/v1/restaurants/${restaurant.restaurantId}/orders`, { method: 'POST', headers: { 'content-type': 'application/json', ...webhookHeaders(secret, body) }, body });
      return response.status;
    };
    try {
      expect((await call('POST', path(agency.agencyId, 'webhook-secret'), dispatcher.token)).status).toBe(403);
      expect((await call('POST', path(agency.agencyId, 'webhook-secret'), other.apiKey)).body.error.code).toBe('AGENCY_NOT_FOUND');
      expect((await call('POST', path(other.agencyId, 'webhook-secret'), other.apiKey)).body.error.code).toBe('RESTAURANT_NOT_FOUND');
      expect((await call('POST', path(agency.agencyId, 'webhook-secret'), owner.token, { overlapHours: 169 })).body.error.details).toEqual([expect.objectContaining({ field: 'overlapHours' })]);

      const secret = await call('POST', path(agency.agencyId, 'webhook-secret'), owner.token);
      expect(secret).toMatchObject({ status: 200, body: { credential: 'webhook-secret', id: restaurant.restaurantId, secret: expect.stringMatching(/^whsec_/) } });
      expect(await sendOrder(restaurant.webhookSecret)).toBe(202);
      expect(await sendOrder(secret.body.secret)).toBe(202);
      const key = await call('POST', path(agency.agencyId, 'api-key'), owner.token, { overlapHours: 0 });
      expect(key.body).toMatchObject({ credential: 'restaurant-key', secret: expect.stringMatching(/^rk_/) });
      expect((await call('GET', `/v1/restaurants/${restaurant.restaurantId}/credentials`, restaurant.apiKey, undefined, intakeUrl)).status).toBe(401);
      expect((await call('GET', `/v1/restaurants/${restaurant.restaurantId}/credentials`, key.body.secret, undefined, intakeUrl)).status).toBe(200);

      const log = await call('GET', `/v1/agencies/${agency.agencyId}/audit-log?action=key.rotated`, owner.token);
      expect(log.body.entries.map((e: { actor: string; subject: string; details: { credential: string } }) => [e.actor, e.subject, e.details.credential])).toEqual([
        [`owner 김 <${owner.email}>`, restaurant.restaurantId, 'restaurant-key'],
        [`owner 김 <${owner.email}>`, restaurant.restaurantId, 'webhook-secret'],
      ]);
      expect(await queryRows(h.databaseUrl, 'SELECT credential, rotated_by FROM intake.credential_rotations WHERE restaurant_id = $1 ORDER BY id', [restaurant.restaurantId])).toEqual([
        { credential: 'webhook-secret', rotated_by: `owner 김 <${owner.email}>` },
        { credential: 'api-key', rotated_by: `owner 김 <${owner.email}>` },
      ]);
    } finally {
      await intake.close();
    }
    const unreachable = await call('POST', path(agency.agencyId, 'api-key'), owner.token);
    expect(unreachable.status).toBe(503);
    expect(unreachable.body.error.code).toBe('UPSTREAM_UNAVAILABLE');
  });
});
