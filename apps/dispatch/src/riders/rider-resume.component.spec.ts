import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { TcpProxy } from '../../../../test/support/tcp-proxy.js';
import { NEAR_CITY_HALL, eventually, orderEvent, startDispatch, type DispatchHarness, type RiderClient } from '../../test/dispatch-harness.js';

/** An app that acknowledges offers and keeps the stream's numbers, connecting for the first time. */
const NEW_APP = { acknowledgesOffers: true, resume: null };

/** The last event number an app saw, and the run it belongs to, as it would send them when reconnecting. */
function position(client: RiderClient): { epoch: string; seq: number } {
  const epoch = client.events<{ epoch: string }>('resume').at(-1)!.epoch;
  return { epoch, seq: Math.max(0, ...client.received.map((r) => r.meta?.seq ?? 0)) };
}

describe('riders that lose their connection (component: pings every 1.5 s, 1 s to answer; unseen offers passed on after 1 s)', () => {
  let h: DispatchHarness;

  beforeAll(async () => {
    h = await startDispatch({
      env: { RIDER_PING_INTERVAL_MS: '1500', RIDER_PING_TIMEOUT_MS: '1000', RIDER_KEEPALIVE_INTERVAL_MS: '1500', OFFER_UNSEEN_WITHDRAW_SECONDS: '1', OFFER_TIMEOUT_SECONDS: '30' },
    });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('numbers every event to a rider, and replays what a reconnecting app missed, with why its job went', async () => {
    const { agencyId, apiKey } = await h.agency();
    const { token } = await h.rider(agencyId, '돌아온 라이더');
    const other = await h.rider(agencyId, '다른 라이더');
    const first = await h.connect(token, { auth: NEW_APP });
    await first.at(NEAR_CITY_HALL.m300);
    await expect(first.waitFor('resume')).resolves.toEqual({ epoch: expect.any(String), seq: 0, rebuild: 'unknown_stream', gone: [] });
    await h.publish(orderEvent(agencyId));
    const offer = await first.waitForOffer();
    await first.send('offer:seen', { offerId: offer.offerId });
    expect((await first.send('offer:accept', { offerId: offer.offerId })).ok).toBe(true);
    expect(first.received.find((r) => r.event === 'offer')!.meta).toEqual({ seq: 1 });
    const seen = position(first);
    first.disconnect();

    // While it is away the agency moves its job to another rider.
    await request(h.dispatchUrl)
      .post(`/v1/agencies/${agencyId}/deliveries/${offer.deliveryId}/reassign`)
      .set('authorization', `Bearer ${apiKey}`)
      .send({ riderId: other.riderId, reason: '라이더 연락 두절' })
      .expect(200);

    const back = await h.connect(token, { auth: { acknowledgesOffers: true, resume: seen } });
    const resumed = await back.waitFor('resume');
    expect(resumed).toEqual({ epoch: seen.epoch, seq: seen.seq + 1, replayed: 1 });
    // The missed event first, with its own number, then the snapshot (no job), then the summary.
    expect(back.received.map((r) => [r.event, r.meta?.seq])).toEqual([
      ['delivery:unassigned', seen.seq + 1],
      ['presence', seen.seq + 1],
      ['jobs', seen.seq + 1],
      ['resume', seen.seq + 1],
    ]);
    expect(back.events('delivery:unassigned')).toEqual([{ deliveryId: offer.deliveryId, reason: '라이더 연락 두절' }]);
    expect(back.events('jobs')).toEqual([{ deliveries: [] }]);
    back.disconnect();

    // Numbers of another run, or ahead of the stream: rebuild from the snapshot.
    const stranger = await h.connect(token, { auth: { resume: { epoch: 'another-run', seq: 1 } } });
    await expect(stranger.waitFor('resume')).resolves.toMatchObject({ rebuild: 'unknown_stream' });
    const ahead = await h.connect(token, { auth: { resume: { epoch: seen.epoch, seq: 999 } } });
    await expect(ahead.waitFor('resume')).resolves.toMatchObject({ rebuild: 'ahead' });
    // A v1 app asks for nothing, and is sent no `resume`.
    const v1 = await h.connect(token);
    await v1.waitFor('jobs');
    expect(v1.events('resume')).toEqual([]);
  });

  it('tells an app that must rebuild why each job it showed is no longer the rider\'s, and nothing of deliveries it never carried', async () => {
    const { agencyId, apiKey } = await h.agency();
    const rider = await h.rider(agencyId, '오래 끊긴 라이더', 6);
    const other = await h.rider(agencyId, '넘겨받은 라이더', 6);
    const board = (path: string, body: object = {}) =>
      request(h.dispatchUrl).post(`/v1/agencies/${agencyId}/deliveries/${path}`).set('authorization', `Bearer ${apiKey}`).send(body).expect(200);
    // Five priced deliveries given to the rider by hand (nobody is located, so nobody is offered them).
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const event = orderEvent(agencyId);
      await h.publish(event);
      await eventually(async () => (await h.deliveryOf(event.orderId)).fee ?? undefined, `the price of order ${event.orderId}`);
      const { id } = await h.deliveryOf(event.orderId);
      await board(`${id}/assign`, { riderId: rider.riderId });
      ids.push(id);
    }
    const [moved, takenBack, cancelled, failed, kept] = ids as [string, string, string, string, string];
    // While its app is away longer than anything is kept:
    await board(`${moved}/reassign`, { riderId: other.riderId, reason: '연락 두절' });
    await board(`${takenBack}/unassign`, { reason: '식당 요청' });
    await board(`${cancelled}/cancel`);
    await board(`${failed}/fail`, { reason: '고객 부재' });
    const strangers = await h.agency();
    const elsewhere = orderEvent(strangers.agencyId);
    await h.publish(elsewhere);
    const { id: notMine } = await h.deliveryOf(elsewhere.orderId);

    const back = await h.connect(rider.token, { auth: { acknowledgesOffers: true, resume: { epoch: 'an-earlier-run', seq: 12 }, held: [...ids, notMine, 'not-an-id'] } });
    const resumed = await back.waitFor<{ rebuild: string; gone: Array<Record<string, unknown>> }>('resume');
    expect(back.events('jobs')).toEqual([{ deliveries: [expect.objectContaining({ id: kept })] }]);
    expect(resumed.rebuild).toBe('unknown_stream');
    const restaurantName = expect.any(String);
    const at = expect.stringMatching(/^\d{4}-\d\d-\d\dT/);
    expect(resumed.gone).toEqual(
      expect.arrayContaining([
        { deliveryId: moved, restaurantName, outcome: 'reassigned', by: 'agency', reason: '연락 두절', at },
        { deliveryId: takenBack, restaurantName, outcome: 'unassigned', by: 'agency', reason: '식당 요청', at },
        { deliveryId: cancelled, restaurantName, outcome: 'cancelled', by: 'agency', reason: null, at },
        { deliveryId: failed, restaurantName, outcome: 'failed', by: 'agency', reason: '고객 부재', at },
      ]),
    );
    expect(resumed.gone).toHaveLength(4);
  });

  it('notices a connection that died without closing within the ping bound, passes its offer on, and tells the rider when it is back', async () => {
    const { agencyId, apiKey } = await h.agency();
    const { token, riderId } = await h.rider(agencyId, '터널 속 라이더');
    const proxy = await TcpProxy.start(h.config.httpPorts.dispatch);
    try {
      const lost = await h.connect(token, { url: proxy.url, auth: NEW_APP });
      await lost.at(NEAR_CITY_HALL.m300);
      await lost.waitFor('resume');
      const seen = position(lost);

      proxy.blackhole();
      const cut = Date.now();
      const event = orderEvent(agencyId);
      await h.publish(event);
      const [made] = await eventually(
        async () => {
          const rows = await h.query<{ id: string; delivery_id: string }>('SELECT o.id, o.delivery_id FROM dispatch.offers o WHERE o.rider_id = $1', [riderId]);
          return rows.length > 0 ? rows : undefined;
        },
        'the offer made into the dead connection',
      );
      const next = await h.online((await h.rider(agencyId, '다음 라이더')).token, NEAR_CITY_HALL.m1500);

      // Dispatch takes the rider offline once a ping goes unanswered: within the ping interval and timeout (2.5 s) and its 1 s beat.
      await eventually(async () => {
        const rider = (await h.agencyRiders(agencyId, apiKey)).find((r) => r.id === riderId);
        return rider?.state === 'offline' ? rider : undefined;
      }, 'the dead connection noticed');
      expect(Date.now() - cut).toBeLessThan(6000);
      await next.waitForOffer(made!.delivery_id);
      expect(lost.offers()).toEqual([]);

      // Back on another network: what it missed is replayed, so it learns the offer came and went.
      const back = await h.connect(token, { auth: { acknowledgesOffers: true, resume: seen } });
      await expect(back.waitFor('resume')).resolves.toMatchObject({ replayed: 2 });
      expect(back.received.slice(0, 2).map((r) => [r.event, r.payload.offerId])).toEqual([
        ['offer', made!.id],
        ['offer:expired', made!.id],
      ]);
      expect(back.offers().filter((o) => o.offerId === made!.id)).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });
});
