import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import request from 'supertest';
import { deleteRedisKeys } from '../../../../test/support/redis.js';
import { TcpProxy } from '../../../../test/support/tcp-proxy.js';
import { NEAR_CITY_HALL, eventually, orderEvent, startDispatch, type DispatchHarness, type RiderClient } from '../../test/dispatch-harness.js';
import { AgencyLeases } from '../leases/agency-leases.service.js';
import { setRiderDisabled } from '../rider-admin/rider-admin.provisioning.js';

const redisUrl = process.env.REDIS_URL;
if (!redisUrl) console.warn('\n*** REDIS_URL is not set: two dispatch instances sharing riders through Redis are SKIPPED ***\n');

/** The last event number an app saw, and the stream it belongs to, as it would send them when reconnecting. */
function position(client: RiderClient): { epoch: string; seq: number } {
  const epoch = client.events<{ epoch: string }>('resume').at(-1)!.epoch;
  return { epoch, seq: Math.max(0, ...client.received.map((r) => r.meta?.seq ?? 0)) };
}

/**
 * Instance A is the harness's dispatch (orders arrive there); B is a second instance on the same database and Redis.
 * Each agency is planned by whichever of them holds its lease (an instance whose rounds came once a minute would
 * leave the agencies it leased waiting that long), and a rider's events reach it through Redis wherever it is.
 */
(redisUrl ? describe : describe.skip)('two dispatch instances sharing riders through Redis (component, real Redis)', () => {
  const prefix = `test-${randomBytes(4).toString('hex')}:`;
  // Instances are never taken as gone for silence here: only a goodbye makes their riders offline within a test's wait.
  const cluster = {
    DISPATCH_CLUSTER: 'redis',
    REDIS_URL: redisUrl!,
    REDIS_KEY_PREFIX: prefix,
    DISPATCH_CLUSTER_PRESENCE_BATCH_MS: '50',
    DISPATCH_CLUSTER_INSTANCE_TIMEOUT_MS: '600000',
  };
  let h: DispatchHarness;
  let b: { url: string };

  beforeAll(async () => {
    h = await startDispatch({ env: { ...cluster, OFFER_TIMEOUT_SECONDS: '30', OFFER_UNSEEN_WITHDRAW_SECONDS: '0', RIDER_RECHECK_INTERVAL_MS: '200' } });
    b = await h.startInstance();
  });

  afterAll(async () => {
    await h?.close();
    if (redisUrl) await deleteRedisKeys(redisUrl, prefix);
  });

  it('makes a rider located on B a candidate on A, offers it A\'s delivery, and tells it on B when A calls the delivery off', async () => {
    const { agencyId, apiKey } = await h.agency();
    const { token, riderId } = await h.rider(agencyId, 'B에 붙은 라이더');
    const rider = await h.connect(token, { url: b.url });
    await rider.at(NEAR_CITY_HALL.m300);

    // A's board shows the rider online where it reported itself on B.
    await eventually(async () => {
      const seen = (await h.agencyRiders(agencyId, apiKey)).find((r) => r.id === riderId);
      return seen?.state === 'online' && seen.online ? seen : undefined;
    }, 'the rider online on A');

    const event = orderEvent(agencyId);
    await h.publish(event);
    const offer = await rider.waitForOffer();
    const delivery = await h.deliveryOf(event.orderId);
    expect(offer.deliveryId).toBe(delivery.id);
    expect(rider.received.find((r) => r.event === 'offer')!.meta).toEqual({ seq: expect.any(Number) });

    await request(h.dispatchUrl).post(`/v1/agencies/${agencyId}/deliveries/${delivery.id}/cancel`).set('authorization', `Bearer ${apiKey}`).expect(200);
    await expect(rider.waitFor('delivery:cancelled')).resolves.toEqual({ deliveryId: delivery.id });
    // One stream for the rider, wherever its events come from: the numbers go up by one.
    const numbers = rider.received.filter((r) => r.event === 'offer' || r.event === 'delivery:cancelled' || r.event === 'offer:expired').map((r) => r.meta!.seq);
    expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! + i));
  });

  it('replays to a rider that moved from A to B what it missed, from the stream kept in Redis', async () => {
    const { agencyId, apiKey } = await h.agency();
    const { token } = await h.rider(agencyId, '옮겨 다니는 라이더');
    const other = await h.rider(agencyId, '다른 라이더');
    const first = await h.connect(token, { auth: { acknowledgesOffers: true, resume: null } });
    await first.at(NEAR_CITY_HALL.m300);
    await expect(first.waitFor('resume')).resolves.toMatchObject({ rebuild: 'unknown_stream' });
    await h.publish(orderEvent(agencyId));
    const offer = await first.waitForOffer();
    expect((await first.send('offer:accept', { offerId: offer.offerId })).ok).toBe(true);
    const seen = position(first);
    expect(seen.seq).toBeGreaterThan(0);
    first.disconnect();

    // While it is away, A's operator moves its job to another rider.
    await request(h.dispatchUrl)
      .post(`/v1/agencies/${agencyId}/deliveries/${offer.deliveryId}/reassign`)
      .set('authorization', `Bearer ${apiKey}`)
      .send({ riderId: other.riderId, reason: '라이더 연락 두절' })
      .expect(200);

    const back = await h.connect(token, { url: b.url, auth: { acknowledgesOffers: true, resume: seen } });
    await expect(back.waitFor('resume')).resolves.toEqual({ epoch: seen.epoch, seq: seen.seq + 1, replayed: 1 });
    expect(back.received.map((r) => [r.event, r.meta?.seq])).toEqual([
      ['delivery:unassigned', seen.seq + 1],
      ['presence', seen.seq + 1],
      ['jobs', seen.seq + 1],
      ['resume', seen.seq + 1],
    ]);
    expect(back.events('delivery:unassigned')).toEqual([{ deliveryId: offer.deliveryId, reason: '라이더 연락 두절' }]);

    // A position from another stream (or a Redis that lost it) is rebuilt from the snapshot.
    const stranger = await h.connect(token, { url: b.url, auth: { resume: { epoch: 'another-run', seq: 1 } } });
    await expect(stranger.waitFor('resume')).resolves.toMatchObject({ rebuild: 'unknown_stream' });
  });

  it('takes the riders of an instance that stops offline on the others at once', async () => {
    const { agencyId, apiKey } = await h.agency();
    const { token, riderId } = await h.rider(agencyId, 'C에 붙은 라이더');
    const c = await h.startInstance();
    const rider = await h.connect(token, { url: c.url });
    await rider.at(NEAR_CITY_HALL.m300);
    const stateOnA = async () => (await h.agencyRiders(agencyId, apiKey)).find((r) => r.id === riderId)!.state as string;
    await eventually(async () => ((await stateOnA()) === 'online' ? true : undefined), 'the rider on C online on A');
    await c.close();
    await eventually(async () => ((await stateOnA()) === 'offline' ? true : undefined), 'the rider on C offline on A once C stopped');
  });

  it('drops a malformed message on the presence channel and carries on', async () => {
    const redis = new Redis(redisUrl!);
    try {
      await expect(redis.publish(`${prefix}dispatch:presence`, '{not json')).resolves.toBe(2);
      await expect(redis.publish(`${prefix}dispatch:presence`, JSON.stringify({ from: 'stranger', riders: [['r', 'a']] }))).resolves.toBe(2);
    } finally {
      redis.disconnect();
    }
    const { agencyId, apiKey } = await h.agency();
    const { token, riderId } = await h.rider(agencyId, '다음 라이더');
    await (await h.connect(token, { url: b.url })).at(NEAR_CITY_HALL.m300);
    await eventually(async () => ((await h.agencyRiders(agencyId, apiKey)).find((r) => r.id === riderId)?.state === 'online' ? true : undefined), 'the rider on B online on A');
  });

  it('closes a disabled rider\'s sockets on every instance', async () => {
    const { agencyId, apiKey } = await h.agency();
    const { token, riderId } = await h.rider(agencyId, '그만두는 라이더');
    const rider = await h.connect(token, { url: b.url });
    await rider.waitFor('jobs');
    const closed = new Promise<string>((resolve) => rider.socket.once('disconnect', resolve));
    await request(h.dispatchUrl).post(`/v1/agencies/${agencyId}/riders/${riderId}/disable`).set('authorization', `Bearer ${apiKey}`).send({}).expect(200);
    await expect(closed).resolves.toBe('io server disconnect');
    expect(rider.events('session:ended')).toEqual([{ code: 'RIDER_DISABLED', message: 'the agency disabled this rider' }]);
  });

  it('closes, on the instance holding it, the socket of a rider the admin CLI disabled in the database alone', async () => {
    const { agencyId } = await h.agency();
    const { token, riderId } = await h.rider(agencyId, 'CLI로 멈춘 라이더');
    const onB = await h.connect(token, { url: b.url });
    const onA = await h.connect(token);
    await Promise.all([onB.waitFor('jobs'), onA.waitFor('jobs')]);
    const closed = [onA, onB].map((client) => new Promise<string>((resolve) => client.socket.once('disconnect', resolve)));
    await setRiderDisabled(h.dataSource, riderId, true, { label: 'admin CLI' });
    await expect(Promise.all(closed)).resolves.toEqual(['io server disconnect', 'io server disconnect']);
    for (const client of [onA, onB]) expect(client.events('session:ended')).toEqual([{ code: 'RIDER_DISABLED', message: 'the agency disabled this rider' }]);
  });
});

/** The same two instances reaching Redis through a proxy that can play Redis restarting, having lost every key. */
(redisUrl ? describe : describe.skip)('two dispatch instances while Redis is away (component, real Redis behind a proxy)', () => {
  const prefix = `test-${randomBytes(4).toString('hex')}:`;
  let proxy: TcpProxy;
  let h: DispatchHarness;
  let b: { url: string };

  beforeAll(async () => {
    const proxied = await TcpProxy.inFrontOf(redisUrl!, 6379);
    proxy = proxied.proxy;
    h = await startDispatch({
      env: {
        DISPATCH_CLUSTER: 'redis',
        REDIS_URL: proxied.url,
        REDIS_KEY_PREFIX: prefix,
        DISPATCH_CLUSTER_PRESENCE_BATCH_MS: '50',
        DISPATCH_CLUSTER_INSTANCE_TIMEOUT_MS: '1000',
        OFFER_UNSEEN_WITHDRAW_SECONDS: '0',
      },
    });
    b = await h.startInstance();
  });

  afterAll(async () => {
    await h?.close();
    await proxy?.close();
    if (redisUrl) await deleteRedisKeys(redisUrl, prefix);
  });

  it('keeps offering each instance\'s own riders while Redis is away, and shares riders again once it is back, empty', async () => {
    const { agencyId, apiKey } = await h.agency();
    const onA = await h.rider(agencyId, 'A에 붙은 라이더');
    const onB = await h.rider(agencyId, 'B에 붙은 라이더');
    const riderB = await h.connect(onB.token, { url: b.url });
    await riderB.at(NEAR_CITY_HALL.m300);
    const board = async (riderId: string) => (await h.agencyRiders(agencyId, apiKey)).find((r) => r.id === riderId)!;
    await eventually(async () => ((await board(onB.riderId)).state === 'online' ? true : undefined), 'the rider on B online on A');

    proxy.down();
    // A stops hearing B and takes B's riders offline until they are heard of again.
    await eventually(async () => ((await board(onB.riderId)).state === 'offline' ? true : undefined), 'the rider on B offline on A while Redis is away');
    const riderA = await h.connect(onA.token);
    await riderA.at(NEAR_CITY_HALL.m1500);
    const during = orderEvent(agencyId);
    await h.publish(during);
    const offered = await riderA.waitForOffer((await h.deliveryOf(during.orderId)).id);
    // Sent while the shared stream is away: not numbered in it.
    expect(riderA.received.find((r) => r.event === 'offer' && r.payload.offerId === offered.offerId)!.meta).toEqual({ seq: 0 });
    expect((await riderA.send('offer:accept', { offerId: offered.offerId })).ok).toBe(true);

    // Redis comes back having lost every key: the instances say again who is where.
    await deleteRedisKeys(redisUrl!, prefix);
    proxy.restore();
    await eventually(async () => ((await board(onB.riderId)).state === 'online' ? true : undefined), 'the rider on B online on A again', 20_000);
    const after = orderEvent(agencyId);
    await h.publish(after);
    const delivery = await h.deliveryOf(after.orderId);
    await riderB.waitForOffer(delivery.id);
    expect(riderB.received.find((r) => r.event === 'offer')!.meta!.seq).toBeGreaterThan(0);
  });
});

/**
 * Orders reach whichever instance the transport gives them to. Here both instances tick once a minute, so an offer
 * within seconds can only come from the hand-over: the instance that took the order hands the new delivery to the
 * agency's owner, which prices and offers it at once.
 */
(redisUrl ? describe : describe.skip)('a delivery priced by an instance that does not plan its agency (component, real Redis)', () => {
  const prefix = `test-${randomBytes(4).toString('hex')}:`;
  const env = {
    DISPATCH_CLUSTER: 'redis',
    REDIS_URL: redisUrl!,
    REDIS_KEY_PREFIX: prefix,
    DISPATCH_CLUSTER_PRESENCE_BATCH_MS: '50',
    DISPATCH_CLUSTER_INSTANCE_TIMEOUT_MS: '600000',
    DISPATCH_SWEEP_INTERVAL_MS: '60000',
  };
  let h: DispatchHarness;

  beforeAll(async () => {
    h = await startDispatch({ env });
  });

  afterAll(async () => {
    await h?.close();
    if (redisUrl) await deleteRedisKeys(redisUrl, prefix);
  });

  it('is handed to the owner through Redis and offered at once, not at the owner\'s next round', async () => {
    const b = await h.startInstance();
    const { agencyId } = await h.agency();
    // B plans the agency; the order arrives at A.
    expect((await b.app.get(AgencyLeases).own([agencyId])).has(agencyId)).toBe(true);
    const { token } = await h.rider(agencyId, '깨우기 라이더');
    const rider = await h.connect(token, { url: b.url });
    await rider.at(NEAR_CITY_HALL.m300);
    // The rounds the lease and the rider's first position woke (at least a second apart) are over before the order.
    await new Promise((resolve) => setTimeout(resolve, 2500));

    const event = orderEvent(agencyId);
    await h.publish(event);
    const offer = await rider.waitForOffer();
    expect(offer.deliveryId).toBe((await h.deliveryOf(event.orderId)).id);
    expect(h.dispatch.get(AgencyLeases).owns(agencyId)).toBe(false);
  });
});
