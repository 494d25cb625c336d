import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { ClientProxyFactory, type ClientProxy } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { DataSource } from 'typeorm';
import type { AppConfig } from '#config';
import { clientOptions } from '#messaging';
import { startService } from '#platform';
import { createTestDatabase, queryRows } from '../../../../test/support/database.js';
import { eventually } from '../../../../test/support/eventually.js';
import { testConfig } from '../../../../test/support/config.js';
import { IntakeModule } from '../intake.module.js';
import { provisionRestaurant, type ProvisionedRestaurant } from '../restaurants/restaurants.provisioning.js';
import type { HostResolver } from './callback-destinations.js';
import { startCallbackReceiver, type CallbackReceiver } from './testing/callback-receiver.js';
import { callbackRows, publishStatus, putCallbackUrl, sendOrder } from './testing/callback-test-kit.js';

/** A public address that nothing here ever connects to: the played DNS hands it out only while a URL is saved. */
const PUBLIC = '93.184.215.14';
const BASE_MS = 200;

/**
 * Callbacks as production sends them (CALLBACK_ALLOW_PRIVATE_NETWORKS unset), with the DNS played by the test, so
 * a name can resolve to a public address while its URL is saved and to loopback when a callback is sent.
 */
describe('callback destinations (component, real PostgreSQL, played DNS)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let config: AppConfig;
  let app: INestApplication;
  let client: ClientProxy;
  let receiver: CallbackReceiver;
  const dns = new Map<string, string[]>();
  const asked: string[] = [];
  const hostResolver: HostResolver = async (hostname) => {
    asked.push(hostname);
    const addresses = dns.get(hostname);
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: isIP(address) }));
  };

  const restaurant = () =>
    provisionRestaurant(app.get(DataSource), { agencyId: randomUUID(), name: '을지로 칼국수', address: '서울 중구 을지로 100', lng: 126.9882, lat: 37.5662 });
  const storedUrl = async (r: ProvisionedRestaurant) =>
    (await queryRows<{ callback_url: string | null }>(db.url, 'SELECT callback_url FROM intake.restaurants WHERE id = $1', [r.restaurantId]))[0].callback_url;

  beforeAll(async () => {
    db = await createTestDatabase();
    config = await testConfig({ CALLBACK_BACKOFF_BASE_MS: String(BASE_MS), CALLBACK_BACKOFF_CAP_MS: '1000', CALLBACK_POLL_INTERVAL_MS: '20', CALLBACK_TIMEOUT_MS: '500' });
    app = await startService({ service: 'intake', module: IntakeModule.forRoot(config, db.url, { hostResolver }), config, bodyParser: false });
    client = ClientProxyFactory.create(clientOptions(config, 'intake'));
    receiver = await startCallbackReceiver('whsec_' + Buffer.from('unused').toString('base64'));
  });

  afterAll(async () => {
    await client?.close();
    await app?.close();
    await receiver?.close();
    await db?.drop();
  });

  it('refuses loopback, private, link-local, metadata and internal destinations in every spelling, naming url', async () => {
    const r = await restaurant();
    const port = new URL(receiver.url).port;
    const refused = [
      receiver.url,
      `http://127.0.0.1:${port}/baecha/callbacks`,
      `http://localhost:${port}/`,
      'http://localhost./',
      'http://pos.localhost/',
      'http://[::1]/',
      'http://0.0.0.0/',
      'http://2130706433/',
      'http://0x7f.0.0.1/',
      'http://127.1/',
      'http://017700000001/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/latest/meta-data/',
      'http://10.0.0.5/',
      'http://172.16.3.4/',
      'http://192.168.0.1/',
      'http://100.100.100.200/',
      'http://224.0.0.1/',
      'http://metadata.google.internal/computeMetadata/v1/',
      'http://metadata/',
      'https://[::ffff:127.0.0.1]/',
      'https://[::ffff:a9fe:a9fe]/',
      'https://[64:ff9b::a00:5]/',
      'https://[2002:c0a8:1::1]/',
      'https://[fe80::1]/',
      'https://[::]/',
    ];
    for (const url of refused) {
      const response = await putCallbackUrl(app, r, url);
      expect([url, response.status]).toEqual([url, 400]);
      expect(response.body.error).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [{ field: 'url', value: url, reason: expect.stringMatching(/not a public internet (address|host)/) }],
      });
    }
    expect(await storedUrl(r)).toBeNull();
    // Refused by what the URL says, before anyone was asked to resolve a name.
    expect(asked).toEqual([]);
  });

  it('refuses a name that resolves to a private address, without saying which', async () => {
    const r = await restaurant();
    dns.set('pos.private-dns.test', ['10.20.30.40']);
    dns.set('pos.mixed-dns.test', [PUBLIC, '::1']);
    for (const url of ['https://pos.private-dns.test/cb', 'https://pos.mixed-dns.test/cb']) {
      const response = await putCallbackUrl(app, r, url).expect(400);
      expect(response.body.error.details).toEqual([
        { field: 'url', value: url, reason: `${new URL(url).hostname} resolves to an address that is not a public internet address` },
      ]);
      expect(JSON.stringify(response.body)).not.toMatch(/10\.20\.30\.40|::1/);
    }
    expect(await storedUrl(r)).toBeNull();
    await expect(
      provisionRestaurant(app.get(DataSource), { agencyId: randomUUID(), name: '식당', address: '서울', lng: 126.98, lat: 37.56, callbackUrl: 'https://pos.private-dns.test/cb' }, {
        allowPrivateNetworks: false,
        resolve: hostResolver,
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'callbackUrl', value: 'https://pos.private-dns.test/cb' })] });
    await expect(
      provisionRestaurant(app.get(DataSource), { agencyId: randomUUID(), name: '식당', address: '서울', lng: 126.98, lat: 37.56, callbackUrl: 'http://169.254.169.254/' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'callbackUrl', reason: expect.stringContaining('link-local') })] });
  });

  it('saves a public destination, and a name that does not resolve yet (every send checks again)', async () => {
    const r = await restaurant();
    dns.set('pos.public-dns.test', [PUBLIC, '2606:4700:4700::1111']);
    await putCallbackUrl(app, r, 'https://pos.public-dns.test/baecha').expect(200, { url: 'https://pos.public-dns.test/baecha' });
    await putCallbackUrl(app, r, 'https://pos.not-yet-live.test/baecha').expect(200, { url: 'https://pos.not-yet-live.test/baecha' });
    expect(await storedUrl(r)).toBe('https://pos.not-yet-live.test/baecha');
  });

  /** Sends one status callback for a fresh order of `r` and waits for its first recorded attempt. */
  async function firstAttempt(r: ProvisionedRestaurant) {
    const { orderId } = await sendOrder(app, r);
    await publishStatus(client, orderId, 'quoted', { fee: { total: 4500, currency: 'KRW', distanceMeters: 2710, provider: 'turf', estimated: true } });
    return eventually(async () => {
      const [row] = await callbackRows(db.url, orderId);
      return row && row.attempts >= 1 ? row : undefined;
    }, 'a first attempt');
  }

  it('refuses to connect when the name resolves to loopback at send time (DNS rebinding), recording why and backing off', async () => {
    const r = await restaurant();
    const url = `http://pos.rebinding.test:${new URL(receiver.url).port}/baecha/callbacks`;
    dns.set('pos.rebinding.test', [PUBLIC]);
    await putCallbackUrl(app, r, url).expect(200);
    dns.set('pos.rebinding.test', ['127.0.0.1']);

    const row = await firstAttempt(r);
    expect(row).toMatchObject({ state: 'pending', last_response_status: null, last_error: 'refused: the destination address is not public' });
    // Retried on the usual backoff (the base shortened by at most a fifth), never in a tight loop.
    expect(row.next_attempt_at!.getTime() - row.last_attempt_at!.getTime()).toBeGreaterThanOrEqual(0.8 * BASE_MS - 1);
    expect(receiver.received).toEqual([]);
  });

  it('refuses to connect to a stored IP literal that is not public (a URL saved before the check existed)', async () => {
    const r = await restaurant();
    await app.get(DataSource).query('UPDATE intake.restaurants SET callback_url = $2 WHERE id = $1', [r.restaurantId, receiver.url]);
    const row = await firstAttempt(r);
    expect(row).toMatchObject({ last_response_status: null, last_error: 'refused: the destination address is not public' });
    expect(receiver.received).toEqual([]);
  });
});
