import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { ClientProxyFactory, type ClientProxy } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { lastValueFrom } from 'rxjs';
import request from 'supertest';
import { PATTERNS, type FeeQuote } from '#contracts';
import { clientOptions } from '#messaging';
import { startService } from '#platform';
import { createTestDatabase, queryRows } from '../../../../test/support/database.js';
import { testConfig } from '../../../../test/support/config.js';
import { eventually } from '../../../../test/support/eventually.js';
import { registerAgency, type TestAgency } from '../../test/agencies.js';
import { FeeModule } from '../fee.module.js';
import type { Tariff } from './tariff.js';

const cityHall = { lng: 126.978, lat: 37.5665 };
const gwanghwamun = { lng: 126.9769, lat: 37.5759 };
const gangnam = { lng: 127.0276, lat: 37.4979 };
/** Suwon station: about 30 km from City Hall in a straight line, further by road. */
const suwon = { lng: 127.0001, lat: 37.2656 };

/** A tariff an agency might send: 3,500 KRW to 2 km, 600 KRW per started 500 m, 3.3 % commission. */
const ownTariff = (): Tariff => ({
  baseFee: 3500,
  baseDistanceMeters: 2000,
  distance: { kind: 'steps', stepMeters: 500, stepFee: 600 },
  surcharges: {},
  rounding: { unit: 100, mode: 'up' },
  distanceBasis: 'route',
  commission: { kind: 'percent', percent: 3.3 },
});

/**
 * The tariff API and quoting by it, on the real fee module and PostgreSQL: versions apply from their time, every
 * quote names the version it used, an invalid tariff changes nothing, and a trip that cannot be priced says why.
 */
describe('agency tariffs (component, real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let app: INestApplication;
  let client: ClientProxy;

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = await testConfig();
    app = await startService({ service: 'fee', module: FeeModule.forRoot(config, db.url), config });
    client = ClientProxyFactory.create(clientOptions(config, 'fee'));
  });

  afterAll(async () => {
    await client?.close();
    await app?.close();
    await db?.drop();
  });

  const http = () => request(app.getHttpServer());
  const getTariff = (agency: TestAgency) => http().get(`/v1/agencies/${agency.agencyId}/tariff`).set('Authorization', agency.authorization);
  const putTariff = (agency: TestAgency, body: unknown) => http().put(`/v1/agencies/${agency.agencyId}/tariff`).set('Authorization', agency.authorization).send(body as object);
  const postQuote = (agency: TestAgency, body: Record<string, unknown>) => http().post('/v1/quotes').set('Authorization', agency.authorization).send({ agencyId: agency.agencyId, ...body });
  const quote = async (agency: TestAgency, extra: Record<string, unknown> = {}): Promise<FeeQuote> =>
    (await postQuote(agency, { pickup: cityHall, dropoff: gangnam, ...extra }).expect(200)).body;
  const quotesOf = async (agency: TestAgency) =>
    (await queryRows<{ n: number }>(db.url, 'SELECT count(*)::int AS n FROM fee.quotes WHERE agency_id = $1', [agency.agencyId]))[0].n;
  const versionsOf = async (agency: TestAgency) =>
    (await queryRows<{ version: number }>(db.url, 'SELECT version FROM fee.tariff_versions WHERE agency_id = $1 ORDER BY version', [agency.agencyId])).map((r) => r.version);

  it('gives a new agency the default tariff as version 1, Korean public holidays filled in', async () => {
    const agency = await registerAgency(client);
    const body = (await getTariff(agency).expect(200)).body;
    expect(body).toMatchObject({ agencyId: agency.agencyId, version: 1, scheduled: [] });
    expect(body.tariff).toMatchObject({ baseFee: 3000, baseDistanceMeters: 1500, distance: { kind: 'steps', stepMeters: 500, stepFee: 500 }, rounding: { unit: 100, mode: 'up' } });
    expect(body.tariff.surcharges.holidays.dates).toEqual(expect.arrayContaining(['2026-09-25', '2026-10-09', '2027-01-01']));
  });

  it('registers an agency once, however often the event is delivered', async () => {
    const agency = await registerAgency(client);
    const [row] = await queryRows<{ api_key_hash: string; name: string; registered_at: Date }>(db.url, 'SELECT * FROM fee.agencies WHERE id = $1', [agency.agencyId]);
    await lastValueFrom(client.send(PATTERNS.AGENCY_REGISTERED, { eventId: randomUUID(), occurredAt: new Date().toISOString(), agencyId: agency.agencyId, name: row.name, apiKeyHash: row.api_key_hash }));
    expect(await versionsOf(agency)).toEqual([1]);
  });

  it('opens an agency tariff only with that agency key', async () => {
    const agency = await registerAgency(client);
    const other = await registerAgency(client);
    expect((await http().get(`/v1/agencies/${agency.agencyId}/tariff`).expect(401)).body.error.code).toBe('UNAUTHENTICATED');
    expect((await http().get(`/v1/agencies/${agency.agencyId}/tariff`).set('Authorization', 'Bearer ak_nope').expect(401)).body.error.code).toBe('UNAUTHENTICATED');
    expect((await http().get(`/v1/agencies/${agency.agencyId}/tariff`).set('Authorization', other.authorization).expect(404)).body.error.code).toBe('AGENCY_NOT_FOUND');
    await putTariff({ ...agency, authorization: other.authorization }, { tariff: ownTariff() }).expect(404);
    expect(await versionsOf(agency)).toEqual([1]);
  });

  it('replaces the tariff with a new version from now; quotes name the version they used, earlier moments keep the old', async () => {
    const agency = await registerAgency(client);
    const before = new Date(Date.now() - 5_000).toISOString();
    const saved = (await putTariff(agency, { tariff: ownTariff() }).expect(200)).body;
    expect(saved).toMatchObject({ agencyId: agency.agencyId, version: 2, tariff: { baseFee: 3500 } });

    const now = await quote(agency, { dropoff: gwanghwamun });
    expect(now).toMatchObject({ tariffVersion: 2, agencyId: agency.agencyId, fee: { total: 3500, items: [{ code: 'BASE', amount: 3500 }] } });
    // 3.3 % of 3,500 is 115.5: the agency keeps 115, the rider is paid 3,385.
    expect(now.riderPay).toEqual({
      total: 3385,
      currency: 'KRW',
      items: [expect.objectContaining({ code: 'FEE', amount: 3500 }), expect.objectContaining({ code: 'COMMISSION', amount: -115 })],
    });
    const earlier = await quote(agency, { dropoff: gwanghwamun, at: before });
    expect(earlier).toMatchObject({ tariffVersion: 1, pricedAt: before, fee: { total: 3000 } });

    const rows = await queryRows(db.url, 'SELECT id, tariff_version, total, rider_pay, priced_at FROM fee.quotes WHERE id = ANY($1) ORDER BY tariff_version', [[now.quoteId, earlier.quoteId]]);
    expect(rows).toEqual([
      { id: earlier.quoteId, tariff_version: 1, total: 3000, rider_pay: 3000, priced_at: new Date(before) },
      { id: now.quoteId, tariff_version: 2, total: 3500, rider_pay: 3385, priced_at: expect.any(Date) },
    ]);
  });

  it('schedules a version for later: in force only from its time, shown as scheduled until then', async () => {
    const agency = await registerAgency(client);
    const from = new Date(Date.now() + 3_600_000).toISOString();
    await putTariff(agency, { tariff: ownTariff(), effectiveFrom: from }).expect(200);
    const body = (await getTariff(agency).expect(200)).body;
    expect(body).toMatchObject({ version: 1, scheduled: [{ version: 2, effectiveFrom: from }] });
    expect(await quote(agency, { dropoff: gwanghwamun })).toMatchObject({ tariffVersion: 1, fee: { total: 3000 } });
    const later = new Date(Date.now() + 2 * 3_600_000).toISOString();
    expect(await quote(agency, { dropoff: gwanghwamun, at: later })).toMatchObject({ tariffVersion: 2, fee: { total: 3500 } });
  });

  it('gives concurrent replacements consecutive versions', async () => {
    const agency = await registerAgency(client);
    await Promise.all([0, 1, 2, 3, 4].map((i) => putTariff(agency, { tariff: { ...ownTariff(), baseFee: 3000 + i * 100 } }).expect(200)));
    expect(await versionsOf(agency)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('rejects an invalid tariff naming every problem, and the old version stays in force', async () => {
    const agency = await registerAgency(client);
    const invalid = {
      tariff: {
        ...ownTariff(),
        baseFee: -100,
        distance: { kind: 'bands', bands: [{ fromMeters: 2000, toMeters: 3000, amount: 500 }, { fromMeters: 2500, toMeters: 4000, amount: 1000 }] },
        surcharges: {
          night: { from: '25:00', to: '06:00', amount: 1000 },
          zones: [{ name: '나비 구역', amount: 500, polygon: [{ lng: 127.0, lat: 37.5 }, { lng: 127.01, lat: 37.51 }, { lng: 127.01, lat: 37.5 }, { lng: 127.0, lat: 37.51 }] }],
        },
      },
    };
    const response = await putTariff(agency, invalid).expect(422);
    expect(response.body.error.code).toBe('TARIFF_INVALID');
    const fields = (response.body.error.details as { field: string }[]).map((d) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['tariff.baseFee', expect.stringMatching(/^tariff\.distance\.bands\[1\]/), 'tariff.surcharges.night.from', 'tariff.surcharges.zones[0].polygon']));
    expect(response.body.error.details).toEqual(expect.arrayContaining([{ field: 'tariff.baseFee', value: -100, reason: expect.any(String) }]));
    expect(await versionsOf(agency)).toEqual([1]);
    expect((await getTariff(agency).expect(200)).body).toMatchObject({ version: 1, tariff: { baseFee: 3000 } });
  });

  it.each([
    ['a body that is not a tariff', [1, 2], '(body)'],
    ['a missing tariff', { effectiveFrom: new Date().toISOString() }, 'tariff'],
    ['a version taking effect in the past', { tariff: ownTariff(), effectiveFrom: '2020-01-01T00:00:00+09:00' }, 'effectiveFrom'],
    ['a time without a zone', { tariff: ownTariff(), effectiveFrom: '2030-01-01T00:00:00' }, 'effectiveFrom'],
    ['a misspelt field', { tarif: ownTariff() }, 'tarif'],
  ])('rejects %s naming it, and writes nothing', async (_what, body, field) => {
    const agency = await registerAgency(client);
    const response = await putTariff(agency, body).expect(422);
    expect(response.body.error).toMatchObject({ code: 'TARIFF_INVALID', details: expect.arrayContaining([expect.objectContaining({ field })]) });
    expect(await versionsOf(agency)).toEqual([1]);
  });

  it.each(['2026-02-30T00:00:00+09:00', '2027-02-29T00:00:00+09:00'])('rejects effectiveFrom %s, a day the calendar lacks, as no date-time', async (effectiveFrom) => {
    const agency = await registerAgency(client);
    const response = await putTariff(agency, { tariff: ownTariff(), effectiveFrom }).expect(422);
    expect(response.body.error).toMatchObject({
      code: 'TARIFF_INVALID',
      details: [{ field: 'effectiveFrom', value: effectiveFrom, reason: 'must be an ISO 8601 date-time with a time zone' }],
    });
    expect(await versionsOf(agency)).toEqual([1]);
  });

  it('switches rain mode on until a given time, as a new version, and off again', async () => {
    const agency = await registerAgency(client);
    const until = new Date(Date.now() + 3_600_000);
    const on = await http()
      .put(`/v1/agencies/${agency.agencyId}/tariff/weather`)
      .set('Authorization', agency.authorization)
      .send({ mode: 'rain', amount: 1000, until: until.toISOString() })
      .expect(200);
    expect(on.body).toMatchObject({ version: 2, tariff: { surcharges: { weather: { mode: 'rain', amount: 1000 } } } });
    const raining = await quote(agency, { dropoff: gwanghwamun });
    expect(raining.fee).toMatchObject({ total: 4000, items: [{ code: 'BASE' }, { code: 'WEATHER', amount: 1000 }] });
    const after = await quote(agency, { dropoff: gwanghwamun, at: new Date(until.getTime() + 60_000).toISOString() });
    expect(after.fee.total).toBe(3000);

    const bad = await http()
      .put(`/v1/agencies/${agency.agencyId}/tariff/weather`)
      .set('Authorization', agency.authorization)
      .send({ mode: 'hail', amount: -5, until: 'tomorrow' })
      .expect(422);
    expect((bad.body.error.details as { field: string }[]).map((d) => d.field).sort()).toEqual(['amount', 'mode', 'until']);

    await http().delete(`/v1/agencies/${agency.agencyId}/tariff/weather`).set('Authorization', agency.authorization).expect(200);
    expect((await quote(agency, { dropoff: gwanghwamun })).fee).toMatchObject({ total: 3000, items: [{ code: 'BASE' }] });
    expect(await versionsOf(agency)).toEqual([1, 2, 3]);
  });

  describe('a change waiting for the agency lock builds on the one holding it', () => {
    const rain = () => ({ mode: 'rain' as const, amount: 1000, until: new Date(Date.now() + 3_600_000).toISOString() });
    const lockWaits = async () =>
      (await queryRows<{ n: number }>(db.url, "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"))[0].n;

    /**
     * Sends `call` while another transaction holds the agency lock, and once the call waits for it, writes
     * version 2 as `tariff` from now and commits: a concurrent change that took the lock first.
     */
    async function whileChanging(agency: TestAgency, tariff: Tariff, call: () => Promise<request.Response>): Promise<request.Response> {
      const other = new pg.Client({ connectionString: db.url });
      await other.connect();
      try {
        await other.query('BEGIN');
        await other.query('SELECT 1 FROM fee.agencies WHERE id = $1 FOR UPDATE', [agency.agencyId]);
        const waiting = call();
        await eventually(async () => ((await lockWaits()) > 0 ? true : undefined), 'the call to wait for the agency lock');
        // Written only now, as a change that took the lock after the call began would write it.
        await other.query('INSERT INTO fee.tariff_versions (agency_id, version, effective_from, tariff) VALUES ($1, 2, $2, $3)', [agency.agencyId, new Date(), tariff]);
        await other.query('COMMIT');
        return await waiting;
      } finally {
        await other.end();
      }
    }

    it('switches weather on over a replacement committed while the switch waited', async () => {
      const agency = await registerAgency(client);
      const on = await whileChanging(agency, ownTariff(), () =>
        http().put(`/v1/agencies/${agency.agencyId}/tariff/weather`).set('Authorization', agency.authorization).send(rain()).then((r) => r),
      );
      expect(on.status).toBe(200);
      expect(on.body).toMatchObject({ version: 3, tariff: { baseFee: 3500, surcharges: { weather: { mode: 'rain', amount: 1000 } } } });
      expect((await quote(agency, { dropoff: gwanghwamun })).fee).toMatchObject({ total: 4500, items: [{ code: 'BASE', amount: 3500 }, { code: 'WEATHER', amount: 1000 }] });
    });

    it('puts a replacement in force after a weather switch committed while it waited', async () => {
      const agency = await registerAgency(client);
      const before = (await getTariff(agency).expect(200)).body.tariff as Tariff;
      const switched = { ...before, surcharges: { ...before.surcharges, weather: rain() } };
      const replaced = await whileChanging(agency, switched, () => putTariff(agency, { tariff: ownTariff() }).then((r) => r));
      expect(replaced.status).toBe(200);
      expect(replaced.body).toMatchObject({ version: 3, tariff: { baseFee: 3500 } });
      expect((await getTariff(agency).expect(200)).body).toMatchObject({ version: 3, tariff: { baseFee: 3500 } });
      expect((await quote(agency, { dropoff: gwanghwamun })).fee).toMatchObject({ total: 3500, items: [{ code: 'BASE', amount: 3500 }] });
    });
  });

  it('prices by the straight line when the tariff says so, asking no provider', async () => {
    const agency = await registerAgency(client);
    await putTariff(agency, { tariff: { ...ownTariff(), distanceBasis: 'straight' } }).expect(200);
    const q = await quote(agency, { dropoff: gwanghwamun });
    expect(q).toMatchObject({ distanceBasis: 'straight', provider: 'straight-line', estimated: false, attempts: [] });
    // City Hall to Gwanghwamun is ~1.05 km as the crow flies.
    expect(q.distanceMeters).toBeGreaterThan(1000);
    expect(q.distanceMeters).toBeLessThan(1100);
  });

  describe('when no price is possible, the answer says why', () => {
    it('NO_TARIFF for an agency fee does not know, over fee.quote', async () => {
      const unknown = randomUUID();
      await expect(lastValueFrom(client.send(PATTERNS.FEE_QUOTE, { agencyId: unknown, pickup: cityHall, dropoff: gangnam }))).rejects.toMatchObject({ code: 'NO_TARIFF' });
    });

    it('NO_TARIFF for a moment before the agency had one', async () => {
      const agency = await registerAgency(client, { registeredAt: new Date('2026-01-01T00:00:00+09:00') });
      const response = await postQuote(agency, { pickup: cityHall, dropoff: gangnam, at: '2025-12-31T23:59:00+09:00' }).expect(422);
      expect(response.body.error.code).toBe('NO_TARIFF');
      expect(await quotesOf(agency)).toBe(0);
    });

    it('OUTSIDE_SERVICE_AREA when the drop-off lies beyond the agency area', async () => {
      const agency = await registerAgency(client);
      const jung = [{ lng: 126.96, lat: 37.55 }, { lng: 127.0, lat: 37.55 }, { lng: 127.0, lat: 37.58 }, { lng: 126.96, lat: 37.58 }];
      await putTariff(agency, { tariff: { ...ownTariff(), serviceArea: [{ name: '중구', polygon: jung }] } }).expect(200);
      expect((await quote(agency, { dropoff: gwanghwamun })).fee.total).toBe(3500);
      const response = await postQuote(agency, { pickup: cityHall, dropoff: gangnam }).expect(422);
      expect(response.body.error).toMatchObject({ code: 'OUTSIDE_SERVICE_AREA', message: expect.stringContaining('drop') });
      expect(await quotesOf(agency)).toBe(1);
    });

    it('BEYOND_MAX_DISTANCE when the trip is longer than the agency serves', async () => {
      const agency = await registerAgency(client);
      await putTariff(agency, { tariff: { ...ownTariff(), maximumDistanceMeters: 5000 } }).expect(200);
      const response = await postQuote(agency, { pickup: cityHall, dropoff: gangnam }).expect(422);
      expect(response.body.error).toMatchObject({ code: 'BEYOND_MAX_DISTANCE', details: { provider: 'turf', estimated: true } });
      expect(response.body.error.details.distanceMeters).toBeGreaterThan(5000);
      expect(await quotesOf(agency)).toBe(0);
    });

    it('BEYOND_MAX_DISTANCE under the default tariff for a trip past its 20 km, while a trip across Seoul is priced', async () => {
      const agency = await registerAgency(client);
      expect((await getTariff(agency).expect(200)).body.tariff.maximumDistanceMeters).toBe(20_000);
      expect((await quote(agency)).fee.total).toBeGreaterThan(3000);
      const response = await postQuote(agency, { pickup: cityHall, dropoff: suwon }).expect(422);
      expect(response.body.error).toMatchObject({ code: 'BEYOND_MAX_DISTANCE', message: expect.stringContaining('20000 m') });
      expect(response.body.error.details.distanceMeters).toBeGreaterThan(20_000);
    });

    it('NO_LOCATION when an address cannot be placed', async () => {
      const agency = await registerAgency(client);
      const response = await postQuote(agency, { pickup: cityHall, dropoffAddress: '서울특별시 어딘가 없는길 999' }).expect(422);
      expect(response.body.error).toMatchObject({ code: 'NO_LOCATION', details: expect.objectContaining({ field: 'dropoffAddress' }) });
      expect(await quotesOf(agency)).toBe(0);
    });
  });
});
