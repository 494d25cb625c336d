import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { FeeQuote } from '#contracts';
import { startService } from '#platform';
import { queryRows } from '../../../../test/support/database.js';
import { testConfig } from '../../../../test/support/config.js';
import { eventually } from '../../../../test/support/eventually.js';
import { registerAgency, type TestAgency } from '../../test/agencies.js';
import { startFeeService, type TestFeeService } from '../../test/fee-service.js';
import { FeeModule } from '../fee.module.js';
import type { TariffCacheStats } from './tariff.cache.js';
import type { Tariff } from './tariff.js';

const cityHall = { lng: 126.978, lat: 37.5665 };
const gwanghwamun = { lng: 126.9769, lat: 37.5759 };

const flat = (baseFee: number, surcharges: Tariff['surcharges'] = {}): Tariff => ({
  baseFee,
  baseDistanceMeters: 5000,
  distance: { kind: 'steps', stepMeters: 500, stepFee: 500 },
  surcharges,
  rounding: { unit: 100, mode: 'up' },
  distanceBasis: 'straight',
  commission: { kind: 'fixed', amount: 0 },
});

/**
 * Two fee instances on one database, as behind a balancer: each keeps the versions in force in memory, and a change
 * through either is priced by both from their next quote, whether it is heard by NOTIFY, missed, or takes effect
 * later by its own time.
 */
describe('tariff versions kept in memory by each fee instance (component, two instances, real PostgreSQL)', () => {
  let a: TestFeeService;
  let b: INestApplication;

  beforeAll(async () => {
    a = await startFeeService();
    const config = await testConfig();
    b = await startService({ service: 'fee', module: FeeModule.forRoot(config, a.db.url), config });
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const quote = async (app: INestApplication, agency: TestAgency): Promise<FeeQuote> =>
    (await request(app.getHttpServer()).post('/v1/quotes').set('Authorization', agency.authorization).send({ agencyId: agency.agencyId, pickup: cityHall, dropoff: gwanghwamun }).expect(200)).body;
  const put = (agency: TestAgency, body: object) =>
    request(a.app.getHttpServer()).put(`/v1/agencies/${agency.agencyId}/tariff`).set('Authorization', agency.authorization).send(body).expect(200);
  const stats = async (app: INestApplication): Promise<TariffCacheStats> =>
    (await request(app.getHttpServer()).get('/health')).body.checks.find((c: { name: string }) => c.name === 'tariff-changes');
  const stored = async (q: FeeQuote) => queryRows(a.db.url, 'SELECT tariff_version, total FROM fee.quotes WHERE id = $1', [q.quoteId]);
  /** A new version written behind fee's back, as if its notification were lost. */
  const writeUnannounced = (agency: TestAgency, baseFee: number) =>
    queryRows(
      a.db.url,
      `INSERT INTO fee.tariff_versions (agency_id, version, effective_from, tariff)
       SELECT $1, max(version) + 1, now(), $2 FROM fee.tariff_versions WHERE agency_id = $1 RETURNING version`,
      [agency.agencyId, flat(baseFee)],
    ).then((rows) => (rows[0] as { version: number }).version);

  /** Quotes through `app` until one was priced from memory: the agency's versions are remembered there. */
  const remembered = (app: INestApplication, agency: TestAgency, status = 200) =>
    eventually(async () => {
      const before = (await stats(app)).hits;
      await request(app.getHttpServer()).post('/v1/quotes').set('Authorization', agency.authorization).send({ agencyId: agency.agencyId, pickup: cityHall, dropoff: gwanghwamun }).expect(status);
      return (await stats(app)).hits > before ? true : undefined;
    }, 'the agency remembered');
  const quotesOf = async (agency: TestAgency) => (await queryRows<{ n: number }>(a.db.url, 'SELECT count(*)::int AS n FROM fee.quotes WHERE agency_id = $1', [agency.agencyId]))[0].n;

  it('prices by a change made through the other instance from its next quote, told by NOTIFY', async () => {
    const agency = await registerAgency(a.client);
    await put(agency, { tariff: flat(3100) });
    expect(await quote(b, agency)).toMatchObject({ tariffVersion: 2, fee: { total: 3100 } });
    await remembered(b, agency);
    const before = await stats(b);
    expect(before).toMatchObject({ status: 'up', listening: true });

    await put(agency, { tariff: flat(3700) });
    // B forgets the agency as the change commits: its next quote reads the new version, not a stale one.
    await eventually(async () => ((await stats(b)).agencies < before.agencies ? true : undefined), 'instance B to hear the change');
    const q = await quote(b, agency);
    expect(q).toMatchObject({ tariffVersion: 3, fee: { total: 3700 } });
    expect(await stored(q)).toEqual([{ tariff_version: 3, total: 3700 }]);
    expect((await stats(b)).stale).toBe(before.stale);
  });

  it('lets a weather surcharge lapse at its until, from memory', async () => {
    const agency = await registerAgency(a.client);
    await put(agency, { tariff: flat(3200) });
    const until = new Date(Date.now() + 3000);
    await request(a.app.getHttpServer())
      .put(`/v1/agencies/${agency.agencyId}/tariff/weather`)
      .set('Authorization', agency.authorization)
      .send({ mode: 'rain', amount: 1000, until: until.toISOString() })
      .expect(200);
    const rainy = await quote(b, agency);
    expect(rainy).toMatchObject({ tariffVersion: 3, fee: { total: 4200 } });
    expect(rainy.fee.items.map((item) => item.code)).toEqual(['BASE', 'WEATHER']);
    const before = await stats(b);

    await eventually(async () => (Date.now() > until.getTime() + 50 ? true : undefined), 'the rain to end');
    const dry = await quote(b, agency);
    expect(dry).toMatchObject({ tariffVersion: 3, fee: { total: 3200 } });
    expect(dry.fee.items.map((item) => item.code)).toEqual(['BASE']);
    const after = await stats(b);
    expect({ stale: after.stale, misses: after.misses }).toEqual({ stale: before.stale, misses: before.misses });
  });

  it('takes a version scheduled for later when its moment comes, from memory, with no event', async () => {
    const agency = await registerAgency(a.client);
    const effectiveFrom = new Date(Date.now() + 3000);
    await put(agency, { tariff: flat(4400), effectiveFrom: effectiveFrom.toISOString() });
    expect(await quote(b, agency)).toMatchObject({ tariffVersion: 1, fee: { total: 3000 } });
    await remembered(b, agency);
    const before = await stats(b);

    await eventually(async () => (Date.now() > effectiveFrom.getTime() + 50 ? true : undefined), 'the scheduled moment');
    const q = await quote(b, agency);
    expect(q).toMatchObject({ tariffVersion: 2, fee: { total: 4400 } });
    expect(await stored(q)).toEqual([{ tariff_version: 2, total: 4400 }]);
    const after = await stats(b);
    expect({ stale: after.stale, misses: after.misses }).toEqual({ stale: before.stale, misses: before.misses });
  });

  it('never gives a quote by a version replaced without a notification: it is priced again by the new one, and stored once', async () => {
    const agency = await registerAgency(a.client);
    await remembered(b, agency);
    const before = await stats(b);
    const count = await quotesOf(agency);
    const version = await writeUnannounced(agency, 3900);

    const q = await quote(b, agency);
    expect(q).toMatchObject({ tariffVersion: version, fee: { total: 3900 } });
    expect(await stored(q)).toEqual([{ tariff_version: version, total: 3900 }]);
    expect(await quotesOf(agency)).toBe(count + 1);
    // Priced once by the remembered version, which the database refused to store under, then again.
    expect((await stats(b)).stale).toBe(before.stale + 1);
  });

  it('empties the cache when its LISTEN connection is lost, listens again, and prices by what changed meanwhile', async () => {
    const agency = await registerAgency(a.client);
    await remembered(b, agency);
    const before = await stats(b);
    const version = await writeUnannounced(agency, 4100);

    // Every fee instance's LISTEN connection dropped, as when the database restarts or the network fails.
    const ended = await queryRows(
      a.db.url,
      "SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'baecha-fee-listen'",
    );
    expect(ended.length).toBeGreaterThanOrEqual(2);
    const back = await eventually(async () => {
      const now = await stats(b);
      return now.listening && now.subscriptions > before.subscriptions ? now : undefined;
    }, 'B listening again');
    expect(back.agencies).toBe(0);

    const q = await quote(b, agency);
    expect(q).toMatchObject({ tariffVersion: version, fee: { total: 4100 } });
    // Nothing stale was remembered across the gap: the quote was right the first time.
    expect((await stats(b)).stale).toBe(before.stale);
  });

  it('confirms a refusal by the database before giving it', async () => {
    const agency = await registerAgency(a.client);
    const tiny = { ...flat(3000), baseDistanceMeters: 500, maximumDistanceMeters: 600 };
    await put(agency, { tariff: tiny });
    const refused = await request(b.getHttpServer())
      .post('/v1/quotes')
      .set('Authorization', agency.authorization)
      .send({ agencyId: agency.agencyId, pickup: cityHall, dropoff: gwanghwamun })
      .expect(422);
    expect(refused.body.error.code).toBe('BEYOND_MAX_DISTANCE');
    await remembered(b, agency, 422);
    // The limit lifted behind fee's back: B's remembered version would refuse, the database's prices.
    const version = await writeUnannounced(agency, 3300);
    expect(await quote(b, agency)).toMatchObject({ tariffVersion: version, fee: { total: 3300 } });
  });
});
