import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { call as callAt, signedInOperator, type SignedInOperator } from '../../../../test/support/operators.js';
import { eventually } from '../../../../test/support/eventually.js';
import { startDispatch, type DispatchHarness } from '../../test/dispatch-harness.js';

// Sessions cost scrypt hashes, slow on a machine busy with the other suites.
jest.setTimeout(240_000);

type Agency = { agencyId: string; apiKey: string };
type Entry = { action: string; actor: string; operatorId: string | null; subject: string; details: Record<string, any> };

/**
 * The agency's tariff on dispatch's routes (key or session), asked of fee over the message transport: dispatch and
 * fee's real modules on one real PostgreSQL. Every role reads it, owners change it, and each change is in the audit
 * log once, naming who and what; with fee down nothing changes and nothing is audited.
 */
describe('the tariff through dispatch (component, real PostgreSQL, dispatch and fee)', () => {
  let h: DispatchHarness;
  let agency: Agency;
  let other: Agency;
  const people: Partial<Record<'owner' | 'dispatcher' | 'viewer', SignedInOperator>> = {};
  let otherOwner: SignedInOperator;

  const call = (method: string, path: string, token: string | undefined, body?: unknown) => callAt(h.dispatchUrl, method, path, token, body);
  const tariffPath = (a: Agency = agency) => `/v1/agencies/${a.agencyId}/tariff`;
  const tariffAudit = async (a: Agency = agency): Promise<Entry[]> => {
    const { body } = await call('GET', `/v1/agencies/${a.agencyId}/audit-log?action=tariff.changed`, a.apiKey);
    return body.entries as Entry[];
  };

  beforeAll(async () => {
    // Fee starts later: the first test is the one with fee down.
    h = await startDispatch({ withFee: false, env: { AUTH_FAILURES_PER_ADDRESS: '1000' } });
    agency = await h.agency('한강 대행');
    other = await h.agency('남산 대행');
    for (const role of ['owner', 'dispatcher', 'viewer'] as const) people[role] = await signedInOperator(h.dispatchUrl, agency, role);
    otherOwner = await signedInOperator(h.dispatchUrl, other, 'owner');
  });

  afterAll(async () => {
    await h?.close();
  });

  it('answers 503 UPSTREAM_UNAVAILABLE with fee down, and audits nothing', async () => {
    const read = await call('GET', tariffPath(), people.viewer!.token);
    expect(read).toMatchObject({ status: 503, body: { error: { code: 'UPSTREAM_UNAVAILABLE', details: { service: 'fee' } } } });
    const change = await call('PUT', tariffPath(), people.owner!.token, { tariff: { baseFee: 1 } });
    expect(change).toMatchObject({ status: 503, body: { error: { code: 'UPSTREAM_UNAVAILABLE' } } });
    expect((await call('DELETE', `${tariffPath()}/weather`, agency.apiKey)).status).toBe(503);
    expect(await tariffAudit()).toEqual([]);

    await h.startFee();
    // Fee learns of both agencies (and gives them the default tariff) from dispatch's outbox once it is up.
    for (const a of [agency, other]) {
      await eventually(
        async () => {
          const { status, body } = await call('GET', tariffPath(a), a.apiKey);
          if (status !== 200) throw new Error(`last answer ${status} ${JSON.stringify(body)}`);
          return true;
        },
        'fee knowing the agency',
        120_000,
      ).catch(async (error: Error) => {
        // What dispatch's outbox made of the event that tells fee of the agency, to tell a lost event from a slow one.
        const events = await h.query(`SELECT attempts, last_error, published_at, next_attempt_at FROM dispatch.outbox WHERE pattern = 'agency.registered' AND payload->>'agencyId' = $1`, [a.agencyId]);
        throw new Error(`${error.message}; dispatch's agency.registered for it: ${JSON.stringify(events)}`);
      });
    }
  });

  it('lets every role read the tariff and its versions, and another agency read only its own', async () => {
    for (const token of [agency.apiKey, people.owner!.token, people.dispatcher!.token, people.viewer!.token]) {
      const current = await call('GET', tariffPath(), token);
      expect(current).toMatchObject({ status: 200, body: { agencyId: agency.agencyId, version: expect.any(Number), tariff: expect.any(Object), scheduled: expect.any(Array) } });
      const versions = await call('GET', `${tariffPath()}/versions`, token);
      expect(versions.status).toBe(200);
      expect(versions.body.at(-1)).toMatchObject({ agencyId: agency.agencyId });
    }
    for (const token of [otherOwner.token, other.apiKey]) {
      expect(await call('GET', tariffPath(), token)).toMatchObject({ status: 404, body: { error: { code: 'AGENCY_NOT_FOUND' } } });
      expect((await call('PUT', tariffPath(), token, { tariff: {} })).status).toBe(404);
    }
    expect((await call('GET', tariffPath(other), otherOwner.token)).body.agencyId).toBe(other.agencyId);
    expect((await call('GET', tariffPath(), undefined)).status).toBe(401);
  });

  it("lets an owner's session change the tariff, refuses dispatchers and viewers, and audits each change once with who and what", async () => {
    const before = (await call('GET', tariffPath(), agency.apiKey)).body;
    const next = { ...before.tariff, baseFee: before.tariff.baseFee + 500 };

    for (const role of ['dispatcher', 'viewer'] as const) {
      expect(await call('PUT', tariffPath(), people[role]!.token, { tariff: next })).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN', details: { role, required: 'owner' } } } });
      expect((await call('PUT', `${tariffPath()}/weather`, people[role]!.token, { mode: 'rain', amount: 1000, until: new Date(Date.now() + 3_600_000).toISOString() })).status).toBe(403);
      expect((await call('DELETE', `${tariffPath()}/weather`, people[role]!.token)).status).toBe(403);
    }
    expect((await call('GET', tariffPath(), agency.apiKey)).body.version).toBe(before.version);

    const changed = await call('PUT', tariffPath(), people.owner!.token, { tariff: next });
    expect(changed).toMatchObject({ status: 200, body: { agencyId: agency.agencyId, version: before.version + 1, tariff: { baseFee: next.baseFee } } });
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const rain = await call('PUT', `${tariffPath()}/weather`, agency.apiKey, { mode: 'rain', amount: 1500, until });
    expect(rain).toMatchObject({ status: 200, body: { version: before.version + 2, tariff: { surcharges: { weather: { mode: 'rain', amount: 1500 } } } } });
    const off = await call('DELETE', `${tariffPath()}/weather`, people.owner!.token);
    expect(off).toMatchObject({ status: 200, body: { version: before.version + 3, tariff: { surcharges: { weather: null } } } });

    const owner = people.owner!;
    expect(await tariffAudit()).toEqual([
      expect.objectContaining({
        action: 'tariff.changed',
        operatorId: owner.id,
        actor: expect.stringContaining(owner.email),
        subject: `tariff v${before.version + 3}`,
        details: { change: 'weather-off', version: before.version + 3, effectiveFrom: off.body.effectiveFrom, before: { 'surcharges.weather.mode': 'rain', 'surcharges.weather.amount': 1500, 'surcharges.weather.until': rain.body.tariff.surcharges.weather.until }, after: { 'surcharges.weather.mode': null, 'surcharges.weather.amount': null, 'surcharges.weather.until': null } },
      }),
      expect.objectContaining({
        operatorId: null,
        actor: 'agency API key',
        subject: `tariff v${before.version + 2}`,
        details: expect.objectContaining({ change: 'weather-on', after: expect.objectContaining({ 'surcharges.weather.mode': 'rain', 'surcharges.weather.amount': 1500 }) }),
      }),
      expect.objectContaining({
        operatorId: owner.id,
        subject: `tariff v${before.version + 1}`,
        details: { change: 'replace', version: before.version + 1, effectiveFrom: changed.body.effectiveFrom, before: { baseFee: before.tariff.baseFee }, after: { baseFee: next.baseFee } },
      }),
    ]);
    expect(await tariffAudit(other)).toEqual([]);
  });

  it("refuses a bad tariff exactly as fee's own route does, naming every field, and changes and audits nothing", async () => {
    const before = (await call('GET', tariffPath(), agency.apiKey)).body;
    const audited = (await tariffAudit()).length;
    const bad = { tariff: { ...before.tariff, baseFee: -1, surcharges: { ...before.tariff.surcharges, night: { from: '25:00', to: '06:00', amount: 500 } } }, effectiveFrom: '2020-01-01T00:00:00Z' };
    const viaDispatch = await call('PUT', tariffPath(), people.owner!.token, bad);
    const feeUrl = `http://127.0.0.1:${h.config.httpPorts.fee}`;
    const viaFee = await callAt(feeUrl, 'PUT', `/v1/agencies/${agency.agencyId}/tariff`, agency.apiKey, bad);
    expect(viaFee.status).toBe(422);
    expect(viaDispatch).toEqual({ status: 422, body: { error: { ...viaFee.body.error, message: expect.any(String) } } });
    expect(viaDispatch.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['effectiveFrom', 'tariff.baseFee', 'tariff.surcharges.night.from']);
    expect((await call('PUT', tariffPath(), people.owner!.token, { tariff: before.tariff, extra: 1 })).body.error).toMatchObject({ code: 'TARIFF_INVALID', details: [expect.objectContaining({ field: 'extra' })] });
    expect((await call('PUT', `${tariffPath()}/weather`, people.owner!.token, { mode: 'hail' })).status).toBe(422);

    expect((await call('GET', tariffPath(), agency.apiKey)).body.version).toBe(before.version);
    expect(await tariffAudit()).toHaveLength(audited);
  });
});
