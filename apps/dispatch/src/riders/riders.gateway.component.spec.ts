import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { io } from 'socket.io-client';
import request from 'supertest';
import { CITY_HALL, NEAR_CITY_HALL, eventually, orderEvent, startDispatch, type DispatchHarness } from '../../test/dispatch-harness.js';

describe('rider sockets (component, real PostgreSQL)', () => {
  let h: DispatchHarness;

  beforeAll(async () => {
    h = await startDispatch();
  });

  afterAll(async () => {
    await h?.close();
  });

  /** A sign-in that must be refused; `localAddress` plays a rider on another address of this machine. */
  const refusal = (auth: Record<string, unknown>, localAddress?: string) =>
    new Promise<Error & { data?: { retryAfterSeconds?: number } }>((resolve, reject) => {
      const socket = io(`${h.dispatchUrl}/riders`, { auth, transports: ['websocket'], reconnection: false, forceNew: true, localAddress } as Parameters<typeof io>[1]);
      socket.once('connect', () => (socket.disconnect(), reject(new Error('connected without a valid token'))));
      socket.once('connect_error', (error) => (socket.disconnect(), resolve(error)));
    });

  it('refuses a socket with an unknown, malformed or missing token', async () => {
    const { agencyId } = await h.agency();
    const { token } = await h.rider(agencyId, '정상 라이더');
    expect((await refusal({ token: `${token.slice(0, -2)}xx` })).message).toBe('UNAUTHENTICATED');
    expect((await refusal({ token: 12345 })).message).toBe('UNAUTHENTICATED');
    expect((await refusal({})).message).toBe('UNAUTHENTICATED');
    // The same server lets the real token in.
    const rider = await h.connect(token);
    expect(rider.socket.connected).toBe(true);
  });

  it('refuses token guesses from an address after 10 in a minute, saying how long to wait, while riders elsewhere and good sign-ins are untouched', async () => {
    const { agencyId } = await h.agency();
    const { token } = await h.rider(agencyId, '옆집 라이더');
    const guesser = '127.0.0.3';
    // Good sign-ins from the guessing address before it guesses do not count.
    for (let i = 0; i < 12; i++) (await h.connect(token, { localAddress: guesser })).socket.disconnect();
    for (let i = 0; i < 10; i++) expect((await refusal({ token: `rt_guess${i}` }, guesser)).message).toBe('UNAUTHENTICATED');
    const refused = await refusal({ token }, guesser);
    expect(refused.message).toBe('TOO_MANY_ATTEMPTS');
    expect(refused.data!.retryAfterSeconds).toBeGreaterThan(0);
    expect(refused.data!.retryAfterSeconds).toBeLessThanOrEqual(60);
    // The rider's own address is another.
    const rider = await h.connect(token);
    expect(rider.socket.connected).toBe(true);
  });

  it('answers bad location payloads with the fields at fault, and keeps the socket usable', async () => {
    const { agencyId } = await h.agency();
    const rider = await h.connect((await h.rider(agencyId, '위치 라이더')).token);

    const swapped = await rider.send('location', { lng: 37.5665, lat: 126.978 });
    expect(swapped).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
    expect(swapped.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'lng', value: 37.5665, reason: expect.stringContaining('swapped') }),
        expect.objectContaining({ field: 'lat', value: 126.978 }),
      ]),
    );

    const missing = await rider.send('location', { lng: 126.978 });
    expect(missing).toMatchObject({ ok: false, code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'lat' })] });

    const text = await rider.send('location', { lng: '126.978', lat: 37.5665 });
    expect(text).toMatchObject({ ok: false, code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'lng', reason: expect.stringContaining('number') })] });

    const notAnObject = await rider.send('location', 'here');
    expect(notAnObject).toMatchObject({ ok: false, code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: '(body)' })] });

    await expect(rider.send('location', CITY_HALL)).resolves.toEqual({ ok: true });
  });

  it('takes a position sent without asking for an answer silently, and tells the app by `refused` when it refuses one', async () => {
    const { agencyId } = await h.agency();
    const rider = await h.connect((await h.rider(agencyId, '조용한 위치 라이더')).token);
    const refusals: Array<Record<string, unknown>> = [];
    rider.socket.on('refused', (refusal: Record<string, unknown>) => refusals.push(refusal));

    rider.socket.emit('location', CITY_HALL);
    rider.socket.emit('location', { lng: 37.5665, lat: 126.978 });
    // An answered message after both: by its answer the server has handled them, in order.
    await expect(rider.send('location', CITY_HALL)).resolves.toEqual({ ok: true });
    await eventually(async () => (refusals.length > 0 ? true : undefined), 'the refusal of the swapped position');
    expect(refusals).toEqual([expect.objectContaining({ event: 'location', ok: false, code: 'VALIDATION_FAILED' })]);
  });

  it('answers malformed and unknown offer and delivery references with their codes', async () => {
    const { agencyId } = await h.agency();
    const rider = await h.connect((await h.rider(agencyId, '참조 라이더')).token);
    await expect(rider.send('offer:accept', { offerId: 'nope' })).resolves.toMatchObject({
      ok: false,
      code: 'VALIDATION_FAILED',
      details: [expect.objectContaining({ field: 'offerId' })],
    });
    await expect(rider.send('offer:accept', { offerId: randomUUID() })).resolves.toMatchObject({ ok: false, code: 'OFFER_NOT_FOUND' });
    await expect(rider.send('offer:decline', { offerId: randomUUID() })).resolves.toMatchObject({ ok: false, code: 'OFFER_NOT_FOUND' });
    await expect(rider.send('delivery:pickedUp', {})).resolves.toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
    await expect(rider.send('delivery:delivered', { deliveryId: randomUUID() })).resolves.toMatchObject({ ok: false, code: 'DELIVERY_NOT_FOUND' });
  });

  it("sends an offer to every socket of the rider, and again to a socket that connects while it waits", async () => {
    const { agencyId } = await h.agency();
    const { token } = await h.rider(agencyId, '두 대 라이더');
    const phone = await h.online(token, NEAR_CITY_HALL.m300);
    const tablet = await h.connect(token);
    const event = orderEvent(agencyId);
    await h.publish(event);

    const offer = await phone.waitForOffer();
    await expect(tablet.waitForOffer()).resolves.toEqual(offer);
    expect(offer).toMatchObject({ deliveryId: (await h.deliveryOf(event.orderId)).id, restaurantName: '시청앞 김밥' });

    // Losing the connection loses nothing: the pending offer comes again on reconnect.
    phone.disconnect();
    tablet.disconnect();
    const again = await h.connect(token);
    await expect(again.waitForOffer()).resolves.toEqual(offer);
    await expect(again.send('offer:accept', { offerId: offer.offerId })).resolves.toMatchObject({
      ok: true,
      delivery: { id: offer.deliveryId, status: 'assigned' },
    });
  });

  it("shows the agency its riders: state, last position and its age, load and when last seen; never another agency's", async () => {
    const { agencyId, apiKey } = await h.agency('보드 대행');
    const busy = await h.rider(agencyId, '가나다 라이더', 2);
    const idle = await h.rider(agencyId, '라마바 라이더');
    const other = await h.agency('남의 대행');

    const rider = await h.online(busy.token, NEAR_CITY_HALL.m300);
    const event = orderEvent(agencyId);
    await h.publish(event);
    const offer = await rider.waitForOffer();
    expect((await rider.send('offer:accept', { offerId: offer.offerId })).ok).toBe(true);

    const board = await h.agencyRiders(agencyId, apiKey);
    expect(board).toEqual([
      {
        id: busy.riderId,
        name: '가나다 라이더',
        capacity: 2,
        disabled: false,
        state: 'online',
        online: true,
        position: { ...NEAR_CITY_HALL.m300, at: expect.any(String), ageSeconds: expect.any(Number) },
        load: { active: 1, offered: 0, capacity: 2 },
        lastSeenAt: expect.any(String),
      },
      {
        id: idle.riderId,
        name: '라마바 라이더',
        capacity: 3,
        disabled: false,
        state: 'offline',
        online: false,
        position: null,
        load: { active: 0, offered: 0, capacity: 3 },
        lastSeenAt: null,
      },
    ]);
    expect(board[0].position.ageSeconds).toBeLessThan(60);
    expect(Date.parse(board[0].lastSeenAt)).toBeGreaterThanOrEqual(Date.parse(board[0].position.at));

    rider.disconnect();
    const offline = await eventually(async () => {
      const [first] = await h.agencyRiders(agencyId, apiKey);
      return first.state === 'offline' ? first : undefined;
    }, 'the rider to show offline');
    // Its last position stays on the board, and its delivery stays assigned to it.
    expect(offline).toMatchObject({ online: false, position: NEAR_CITY_HALL.m300, load: { active: 1 } });

    await request(h.dispatchUrl).get(`/v1/agencies/${agencyId}/riders`).expect(401);
    await request(h.dispatchUrl).get(`/v1/agencies/${agencyId}/riders`).set('authorization', 'Bearer ak_wrong').expect(401);
    const foreign = await request(h.dispatchUrl).get(`/v1/agencies/${agencyId}/riders`).set('authorization', `Bearer ${other.apiKey}`).expect(404);
    expect(foreign.body.error.code).toBe('AGENCY_NOT_FOUND');
  });

  it('reports its database up', async () => {
    const response = await request(h.dispatchUrl).get('/health');
    expect(response.body.checks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'database', status: 'up' }),
        expect.objectContaining({ name: 'transport:fee', status: 'up' }),
        // order-intake is not running in this test.
        expect.objectContaining({ name: 'transport:intake', status: 'down' }),
      ]),
    );
    expect(response.body.status).toBe('degraded');
  });
});
