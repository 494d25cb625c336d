import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, queryRows } from '../test/support/database.js';
import { runAdmin } from './admin-cli.js';

/** The admin CLI as an operator runs it (its arguments, its output, its exit code) on a real, migrated PostgreSQL. */
describe('admin CLI (real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dir: string;
  let agencyId: string;
  let otherAgencyId: string;

  const admin = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runAdmin(argv, { out: (text) => out.push(text), err: (text) => err.push(text) }, { DATABASE_URL: db.url, LOG_LEVEL: 'silent' });
    return { code, out: out.join('\n'), err: err.join('\n'), json: () => JSON.parse(out.join('\n')) };
  };
  const file = async (name: string, text: string) => {
    const at = path.join(dir, name);
    await writeFile(at, text, 'utf8');
    return at;
  };
  const count = async (table: string, agency = agencyId) =>
    (await queryRows<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM ${table} WHERE agency_id = $1`, [agency]))[0]!.n;

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(path.join(tmpdir(), 'baecha-admin-'));
    agencyId = (await admin('agency', 'create', '--name', '한강 배달')).json().agencyId;
    otherAgencyId = (await admin('agency', 'create', '--name', '다른 대행')).json().agencyId;
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    await db?.drop();
  });

  it('reports every bad rider row with line, field, value and reason, and writes nothing, dry run or not', async () => {
    const csv = await file(
      'bad-riders.csv',
      '\ufeffname,capacity\r\n"김, 배달",2\r\n,3\r\n박배달,x\r\n"여러 줄\r\n이름",99\r\n최배달\r\n정배달,\r\n',
    );
    for (const args of [['--dry-run'], []]) {
      const result = await admin('import', 'riders', '--agency', agencyId, '--file', csv, '--json', ...args);
      expect(result.code).toBe(1);
      expect(result.json()).toEqual({
        ok: false,
        errors: [
          { line: 3, field: 'name', value: '', reason: 'must be 1 to 100 characters' },
          { line: 4, field: 'capacity', value: 'x', reason: 'must be an integer from 1 to 50' },
          { line: 5, field: 'capacity', value: 99, reason: 'must be an integer from 1 to 50' },
          { line: 7, field: '', value: 1, reason: 'has 1 fields, the header has 2' },
        ],
      });
    }
    expect(await count('dispatch.riders')).toBe(0);
    const text = await admin('import', 'riders', '--agency', agencyId, '--file', csv);
    expect(text.out).toContain('line 4, capacity "x": must be an integer from 1 to 50');
  });

  it('imports valid riders (BOM, CRLF, quoted fields, Hangul) in one go after a dry run, audited as the admin CLI', async () => {
    const csv = await file('riders.csv', '\ufeffname,capacity\r\n"김, 배달",2\r\n"이 ""번개"" 배달",\r\n박배달,5\r\n');
    const dry = await admin('import', 'riders', '--agency', agencyId, '--file', csv, '--dry-run', '--json');
    expect(dry).toMatchObject({ code: 0 });
    expect(dry.json()).toEqual({ ok: true, dryRun: true, rows: 3, created: [] });
    expect(await count('dispatch.riders')).toBe(0);

    const done = await admin('import', 'riders', '--agency', agencyId, '--file', csv, '--json');
    expect(done.code).toBe(0);
    expect(done.json().created).toEqual([
      { riderId: expect.any(String), name: '김, 배달', capacity: 2, token: expect.stringMatching(/^rt_/) },
      { riderId: expect.any(String), name: '이 "번개" 배달', capacity: 3, token: expect.stringMatching(/^rt_/) },
      { riderId: expect.any(String), name: '박배달', capacity: 5, token: expect.stringMatching(/^rt_/) },
    ]);
    const audit = await queryRows<{ action: string; actor: string }>(db.url, 'SELECT action, actor FROM dispatch.audit_log WHERE agency_id = $1', [agencyId]);
    expect(audit).toEqual(Array(3).fill({ action: 'rider.created', actor: 'admin CLI' }));

    const listed = await admin('list', 'riders', '--agency', agencyId, '--json');
    expect(listed.json().map((r: { name: string }) => r.name).sort()).toEqual(['김, 배달', '박배달', '이 "번개" 배달'].sort());
    expect((await admin('list', 'riders', '--agency', otherAgencyId, '--json')).json()).toEqual([]);
  });

  it('reports every bad restaurant row, unknown columns and broken quotes, and writes nothing', async () => {
    const bad = await file(
      'bad-restaurants.csv',
      'name,address,lng,lat,callbackUrl\n식당 하나,서울 중구,37.56,126.98,\n,서울,126.98,37.56,ftp://pos.example/cb\n식당 셋,서울,동경,37.56,\n',
    );
    const result = await admin('import', 'restaurants', '--agency', agencyId, '--file', bad, '--dry-run', '--json');
    expect(result.code).toBe(1);
    const errors = result.json().errors as Array<{ line: number; field: string; value: unknown }>;
    expect(errors.map((e) => [e.line, e.field]).sort()).toEqual(
      [[2, 'lat'], [2, 'lng'], [3, 'callbackUrl'], [3, 'name'], [4, 'lng']].sort(),
    );
    expect(errors).toContainEqual(expect.objectContaining({ line: 4, field: 'lng', value: '동경' }));

    const columns = await file('columns.csv', 'name,address,lng,latitude\n식당,서울,126.98,37.56\n');
    expect((await admin('import', 'restaurants', '--agency', agencyId, '--file', columns, '--json')).json().errors).toEqual([
      { line: 1, field: 'latitude', value: 'latitude', reason: 'unknown column: the columns are name, address, lng, lat, callbackUrl, defaultCookingMinutes' },
      { line: 1, field: 'lat', value: null, reason: 'column is missing' },
    ]);
    const broken = await file('broken.csv', 'name,address,lng,lat\n"식당,서울,126.98,37.56\n');
    expect((await admin('import', 'restaurants', '--agency', agencyId, '--file', broken, '--json')).json().errors).toEqual([
      { line: 2, field: '', value: null, reason: 'a quoted field is never closed' },
    ]);
    expect(await count('intake.restaurants')).toBe(0);
    expect((await admin('import', 'restaurants', '--agency', 'nope', '--file', broken)).code).toBe(2);
  });

  it('imports restaurants, lists them, and disables and enables restaurants and riders with --json, each change recorded', async () => {
    const csv = await file('restaurants.csv', '\ufeffname,address,lng,lat,defaultCookingMinutes\r\n"을지로 칼국수, 본점",서울 중구 을지로 100,126.9882,37.5662,15\r\n시청앞 김밥,서울 중구 세종대로 110,126.978,37.5665,\r\n');
    const imported = await admin('import', 'restaurants', '--agency', agencyId, '--file', csv, '--json');
    expect(imported.code).toBe(0);
    const created = imported.json().created as Array<{ id: string; name: string; webhookSecret: string; apiKey: string }>;
    expect(created).toEqual([
      expect.objectContaining({ name: '을지로 칼국수, 본점', defaultCookingMinutes: 15, webhookSecret: expect.stringMatching(/^whsec_/), apiKey: expect.stringMatching(/^rk_/) }),
      expect.objectContaining({ name: '시청앞 김밥', defaultCookingMinutes: null }),
    ]);
    const listed = (await admin('list', 'restaurants', '--json')).json() as Array<{ id: string; agencyId: string; disabled: boolean }>;
    expect(listed.map((r) => r.id).sort()).toEqual(created.map((r) => r.id).sort());
    expect(listed.every((r) => r.agencyId === agencyId && !r.disabled)).toBe(true);
    expect((await admin('list', 'agencies', '--json')).json()).toEqual(expect.arrayContaining([{ id: agencyId, name: '한강 배달' }, { id: otherAgencyId, name: '다른 대행' }]));

    const id = created[0]!.id;
    expect((await admin('restaurant', 'disable', '--id', id, '--json')).json()).toMatchObject({ id, disabled: true });
    expect((await admin('list', 'restaurants', '--agency', agencyId, '--json')).json()).toContainEqual(expect.objectContaining({ id, disabled: true }));
    expect((await admin('restaurant', 'enable', '--id', id)).out).toBe(`restaurant ${id} (을지로 칼국수, 본점) enabled`);
    const events = await queryRows<{ change: string; label: string }>(
      db.url,
      "SELECT payload->>'change' AS change, payload->'actor'->>'label' AS label FROM intake.outbox WHERE pattern = 'restaurant.changed' AND payload->>'restaurantId' = $1 ORDER BY id",
      [id],
    );
    expect(events).toEqual([
      { change: 'restaurant.created', label: 'admin CLI' },
      { change: 'restaurant.disabled', label: 'admin CLI' },
      { change: 'restaurant.enabled', label: 'admin CLI' },
    ]);

    const [rider] = (await admin('list', 'riders', '--agency', agencyId, '--json')).json() as Array<{ id: string }>;
    expect((await admin('rider', 'disable', '--id', rider!.id, '--json')).json()).toMatchObject({ id: rider!.id, disabled: true, changed: true });
    expect((await admin('rider', 'disable', '--id', rider!.id, '--json')).json()).toMatchObject({ disabled: true, changed: false });
    expect((await admin('list', 'riders', '--agency', agencyId, '--json')).json()).toContainEqual(expect.objectContaining({ id: rider!.id, disabled: true }));
    expect((await admin('rider', 'enable', '--id', rider!.id, '--json')).json()).toMatchObject({ disabled: false, changed: true });
    const riderAudit = await queryRows<{ action: string }>(db.url, 'SELECT action FROM dispatch.audit_log WHERE subject = $1 ORDER BY id', [rider!.id]);
    expect(riderAudit.map((e) => e.action)).toEqual(['rider.created', 'rider.disabled', 'rider.enabled']);

    const unknown = await admin('restaurant', 'disable', '--id', 'not-a-restaurant');
    expect(unknown).toMatchObject({ code: 1, err: expect.stringContaining('RESTAURANT_NOT_FOUND') });
    expect((await admin('rider', 'enable', '--id', crypto.randomUUID())).err).toContain('RIDER_NOT_FOUND');
  });
});
