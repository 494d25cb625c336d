import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { hashSecret } from '#platform';
import { provisionAgency } from '../apps/dispatch/src/agencies/agencies.provisioning.js';
import { provisionRider } from '../apps/dispatch/src/riders/riders.provisioning.js';
import { hashApiKey } from '../apps/order-intake/src/restaurants/restaurant-credentials.js';
import { provisionRestaurant } from '../apps/order-intake/src/restaurants/restaurants.provisioning.js';
import { createTestDatabase, queryRows } from '../test/support/database.js';
import { openServiceDatabases } from './service-databases.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);
const HOUR_MS = 3_600_000;

/** `npm run admin -- rotate …` as built in dist/, on a real PostgreSQL with no service running. */
describe('admin CLI rotate (built CLI, real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ids: { agencyId: string; restaurantId: string; riderId: string; riderToken: string; restaurantKey: string };

  const admin = (...args: string[]) =>
    run(process.execPath, [path.join(root, 'dist/tools/admin.js'), ...args], { cwd: root, env: { PATH: process.env.PATH, DATABASE_URL: db.url, LOG_LEVEL: 'warn' } }).then(
      (done) => ({ code: 0, stdout: done.stdout, stderr: done.stderr }),
      (failed: { code: number; stdout: string; stderr: string }) => ({ code: failed.code, stdout: failed.stdout, stderr: failed.stderr }),
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    const databases = await openServiceDatabases(db.url);
    try {
      const { agencyId } = await provisionAgency(databases.dispatch, { name: '명령줄 대행' });
      const restaurant = await provisionRestaurant(databases.intake, { agencyId, name: '식당', address: '서울 중구 을지로 100', lng: 126.9882, lat: 37.5662 });
      const rider = await provisionRider(databases.dispatch, { agencyId, name: '라이더' });
      ids = { agencyId, restaurantId: restaurant.restaurantId, riderId: rider.riderId, riderToken: rider.token, restaurantKey: restaurant.apiKey };
    } finally {
      await databases.close();
    }
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('rotates each kind with --json, stores only hashes of keys and tokens, and audits agency-side rotations as the admin CLI', async () => {
    const kinds = [
      ['restaurant-secret', ids.restaurantId, 'webhook-secret', /^whsec_/],
      ['restaurant-key', ids.restaurantId, 'restaurant-key', /^rk_/],
      ['agency-key', ids.agencyId, 'agency-key', /^ak_/],
      ['rider-token', ids.riderId, 'rider-token', /^rt_/],
    ] as const;
    const answers: Record<string, { secret: string; rotatedAt: string; previousValidUntil: string }> = {};
    for (const [kind, id, credential, shape] of kinds) {
      const done = await admin('rotate', kind, id, '--overlap-hours', '6', '--json');
      expect(done).toMatchObject({ code: 0, stderr: '' });
      const answer = JSON.parse(done.stdout);
      expect(answer).toEqual({ credential, id, secret: expect.stringMatching(shape), rotatedAt: expect.any(String), previousValidUntil: expect.any(String) });
      expect(Date.parse(answer.previousValidUntil) - Date.parse(answer.rotatedAt)).toBe(6 * HOUR_MS);
      answers[kind] = answer;
    }
    const [restaurant] = await queryRows<Record<string, unknown>>(db.url, 'SELECT webhook_secret, api_key_hash, previous_api_key_hash FROM intake.restaurants WHERE id = $1', [ids.restaurantId]);
    expect(restaurant).toEqual({ webhook_secret: answers['restaurant-secret'].secret, api_key_hash: hashApiKey(answers['restaurant-key'].secret), previous_api_key_hash: hashApiKey(ids.restaurantKey) });
    const [rider] = await queryRows<Record<string, unknown>>(db.url, 'SELECT token_hash, previous_token_hash FROM dispatch.riders WHERE id = $1', [ids.riderId]);
    expect(rider).toEqual({ token_hash: hashSecret(answers['rider-token'].secret), previous_token_hash: hashSecret(ids.riderToken) });
    const audit = await queryRows(db.url, `SELECT actor, subject, details->>'credential' AS credential FROM dispatch.audit_log WHERE action = 'key.rotated' ORDER BY id`);
    expect(audit).toEqual([
      { actor: 'admin CLI', subject: ids.agencyId, credential: 'agency-key' },
      { actor: 'admin CLI', subject: ids.riderId, credential: 'rider-token' },
    ]);
    expect(await queryRows(db.url, `SELECT credential, rotated_by FROM intake.credential_rotations ORDER BY id`)).toEqual([
      { credential: 'webhook-secret', rotated_by: 'admin CLI' },
      { credential: 'api-key', rotated_by: 'admin CLI' },
    ]);
  });

  it('prints for a person without --json, saying a revoke refuses the old one at once', async () => {
    const done = await admin('rotate', 'rider-token', ids.riderId, '--overlap-hours', '0');
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(new RegExp(`^rider-token of ${ids.riderId} rotated at \\S+\nnew: rt_\\S+\n\\(shown only now: keep it\\)\nthe old one is refused from now on\n$`));
    const defaulted = await admin('rotate', 'restaurant-key', ids.restaurantId);
    expect(defaulted.stdout).toMatch(/^restaurant-key of \S+ rotated at (\S+)\nnew: rk_\S+\n\(shown only now: keep it\)\nthe old one keeps working until \S+\n$/);
  });

  it('refuses an unknown id, a bad overlap and a bad kind, saying which, and writes nothing', async () => {
    const before = await queryRows(db.url, 'SELECT token_hash FROM dispatch.riders');
    const unknown = await admin('rotate', 'rider-token', '4b8f4a2e-0000-4000-8000-000000000000');
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining('RIDER_NOT_FOUND') });
    const bad = await admin('rotate', 'rider-token', ids.riderId, '--overlap-hours', '200');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('VALIDATION_FAILED');
    expect(bad.stderr).toContain('"field": "overlapHours"');
    const notNumber = await admin('rotate', 'agency-key', ids.agencyId, '--overlap-hours', 'soon');
    expect(notNumber).toMatchObject({ code: 2, stderr: expect.stringContaining('--overlap-hours must be a number') });
    expect((await admin('rotate', 'operator-password', ids.agencyId)).code).toBe(2);
    expect(await queryRows(db.url, 'SELECT token_hash FROM dispatch.riders')).toEqual(before);
  });
});
