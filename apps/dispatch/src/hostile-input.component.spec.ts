import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import WebSocket from 'ws';
import type { OrderCreatedEvent } from '#contracts';
import { eventually, orderEvent, startDispatch, type DispatchHarness } from '../test/dispatch-harness.js';

const deepArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const deepObjects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/**
 * A rider's connection written frame by frame, so it can send what socket.io clients cannot even encode (their
 * encoder recurses, and stops at a few thousand levels).
 */
class RawRider {
  private readonly frames: string[] = [];
  private nextAck = 1;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.frames.push(data.toString()));
  }

  static async connect(dispatchUrl: string, token: string): Promise<RawRider> {
    const ws = new WebSocket(`${dispatchUrl.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
    const rider = new RawRider(ws);
    await new Promise<void>((resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject)));
    ws.send(`40/riders,${JSON.stringify({ token })}`);
    await eventually(async () => rider.frames.find((frame) => frame.startsWith('40/riders,')), 'the namespace joined');
    return rider;
  }

  /** Sends an event whose body is raw JSON text; resolves with its acknowledgement. */
  async send(event: string, rawBody: string): Promise<any> {
    const id = this.nextAck++;
    this.ws.send(`42/riders,${id}[${JSON.stringify(event)},${rawBody}]`);
    const prefix = `43/riders,${id}[`;
    const frame = await eventually(async () => this.frames.find((f) => f.startsWith(prefix)), `the ack of ${event}`);
    return JSON.parse(frame.slice(prefix.length - 1))[0];
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  close(): void {
    this.ws.close();
  }
}

describe('dispatch refuses hostile input with a 400 (or an ack) naming the field, and changes nothing (component, real PostgreSQL)', () => {
  let h: DispatchHarness;
  let agency: { agencyId: string; apiKey: string };

  beforeAll(async () => {
    h = await startDispatch();
    agency = await h.agency();
  });

  afterAll(async () => {
    await h?.close();
  });

  const call = async (method: string, path: string, body?: string | Buffer) => {
    const response = await fetch(`${h.dispatchUrl}${path}`, {
      method,
      body,
      headers: { authorization: `Bearer ${agency.apiKey}`, 'content-type': 'application/json' },
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  const expectRefused = (answer: { status: number; body: any }, field: string | RegExp, code = 'VALIDATION_FAILED') =>
    expect(answer).toEqual({
      status: 400,
      body: {
        error: {
          code,
          message: expect.any(String),
          details: [{ field: typeof field === 'string' ? field : expect.stringMatching(field), value: expect.anything(), reason: expect.any(String) }],
        },
      },
    });

  /** A delivery assigned by hand to a rider who is connected but never located, so nothing else moves it. */
  async function assignedDelivery() {
    const event = orderEvent(agency.agencyId);
    await h.publish(event);
    const { id } = await eventually(async () => {
      const delivery = await h.deliveryOf(event.orderId);
      return delivery.fee ? delivery : undefined;
    }, 'the delivery priced');
    const rider = await h.rider(agency.agencyId, '테스트 라이더');
    expect((await call('POST', `/v1/agencies/${agency.agencyId}/deliveries/${id}/assign`, JSON.stringify({ riderId: rider.riderId }))).status).toBe(200);
    return { deliveryId: id, rider };
  }

  const history = async (deliveryId: string) =>
    h.query<{ status: string; transitions: number }>(
      'SELECT status, (SELECT count(*) FROM dispatch.delivery_transitions t WHERE t.delivery_id = d.id)::int AS transitions FROM dispatch.deliveries d WHERE id = $1',
      [deliveryId],
    );

  describe('the agency API', () => {
    it('refuses dispatch settings nested 10,000 levels deep or with a reserved name, and keeps the settings', async () => {
      const path = `/v1/agencies/${agency.agencyId}/dispatch-settings`;
      const before = await call('GET', path);
      expectRefused(await call('PUT', path, `{"broadcastSize":${deepArrays(10_000)}}`), /^broadcastSize(\[0\]){31}$/);
      expectRefused(await call('PUT', path, `{"offerPolicy":"broadcast","extra":${deepObjects(10_000)}}`), /^extra(\.a){31}$/);
      expectRefused(await call('PUT', path, '{"offerPolicy":"broadcast","x":{"constructor":1}}'), 'x.constructor');
      expectRefused(await call('PUT', path, '{"offerPolicy":"broadcast","\\ud800":1}'), '["\\ud800"]');
      expect(await call('GET', path)).toEqual(before);
    });

    it('refuses form bodies nested too deep, or with a reserved name, as JSON ones', async () => {
      const path = `/v1/agencies/${agency.agencyId}/dispatch-settings`;
      const before = await call('GET', path);
      const form = async (body: string) => {
        const response = await fetch(`${h.dispatchUrl}${path}`, {
          method: 'PUT',
          body,
          headers: { authorization: `Bearer ${agency.apiKey}`, 'content-type': 'application/x-www-form-urlencoded' },
        });
        return { status: response.status, body: (await response.json()) as any };
      };
      expect(await form(`offerPolicy${'[a]'.repeat(40)}=broadcast`)).toEqual({ status: 400, body: { error: { code: 'VALIDATION_FAILED', message: expect.stringContaining('deeper than 32') } } });
      expectRefused(await form('constructor[prototype][offerPolicy]=broadcast'), 'constructor');
      expectRefused(await form('offerPolicy=%00'), 'offerPolicy');
      expect(await call('GET', path)).toEqual(before);
    });

    it('refuses a manual step with a deep rider id, or a reason with a lone surrogate, NUL or bytes that are not UTF-8', async () => {
      const { deliveryId } = await assignedDelivery();
      const before = await history(deliveryId);
      const path = (step: string) => `/v1/agencies/${agency.agencyId}/deliveries/${deliveryId}/${step}`;
      expectRefused(await call('POST', path('reassign'), `{"riderId":${deepArrays(10_000)}}`), /^riderId(\[0\]){31}$/);
      expectRefused(await call('POST', path('unassign'), JSON.stringify({ reason: '고객 요청\ud800' })), 'reason');
      expectRefused(await call('POST', path('fail'), JSON.stringify({ reason: '사고\u0000' })), 'reason');
      const notUtf8 = Buffer.concat([Buffer.from('{"reason":"'), Buffer.from([0xff]), Buffer.from('"}')]);
      expect(await call('POST', path('fail'), notUtf8)).toEqual({ status: 400, body: { error: { code: 'INVALID_JSON', message: expect.stringContaining('UTF-8') } } });
      expect(await call('POST', path('fail'), 'null')).toEqual({ status: 400, body: { error: { code: 'INVALID_JSON', message: expect.any(String) } } });
      expect(await history(deliveryId)).toEqual(before);
    });

    it('passes a tariff through the fee proxy only once it is safe to, and fee refuses it naming the field', async () => {
      const path = `/fee/v1/agencies/${agency.agencyId}/tariff`;
      expectRefused(await call('PUT', path, `{"tariff":${deepArrays(10_000)}}`), /^tariff(\[0\]){31}$/);
      expectRefused(await call('PUT', path, JSON.stringify({ tariff: { name: '\ud800' } })), 'tariff.name');
    });
  });

  describe('rider messages', () => {
    let rider: RawRider;
    let deliveryId: string;

    beforeAll(async () => {
      const assigned = await assignedDelivery();
      deliveryId = assigned.deliveryId;
      rider = await RawRider.connect(h.dispatchUrl, assigned.rider.token);
    });

    afterAll(() => rider?.close());

    const refusal = (field: string | RegExp) => ({
      ok: false,
      code: 'VALIDATION_FAILED',
      message: expect.any(String),
      details: [{ field: typeof field === 'string' ? field : expect.stringMatching(field), value: expect.anything(), reason: expect.any(String) }],
    });

    it.each([
      ['a location nested 10,000 levels deep', 'location', deepArrays(10_000), /^(\[0\]){32}$/],
      ['an offer id of nested objects', 'offer:accept', `{"offerId":${deepObjects(10_000)}}`, /^offerId(\.a){31}$/],
      ['a failure reason with a lone surrogate', 'delivery:failed', () => JSON.stringify({ deliveryId, reason: '사고\ud800' }), 'reason'],
      ['a failure reason with NUL', 'delivery:failed', () => JSON.stringify({ deliveryId, reason: '사고\u0000' }), 'reason'],
      ['a reserved field name', 'delivery:pickedUp', () => `{"deliveryId":"${deliveryId}","__proto__":{}}`, '__proto__'],
      ['an event nobody handles, nested deep', 'no:such-event', deepObjects(10_000), /^(a\.){31}a$/],
    ])('acks %s with VALIDATION_FAILED naming the field, and keeps the connection', async (_, event, body, field) => {
      const before = await history(deliveryId);
      expect(await rider.send(event, typeof body === 'function' ? body() : body)).toEqual(refusal(field));
      expect(await history(deliveryId)).toEqual(before);
      expect(rider.open).toBe(true);
      expect(await rider.send('heartbeat', '{}')).toMatchObject({ ok: true });
    });
  });

  it('answers an order.created event with a lone surrogate, too deep, or a list for a place with VALIDATION_FAILED, and stores no delivery', async () => {
    const tooDeep = JSON.parse(deepArrays(40));
    const listed = orderEvent(agency.agencyId);
    for (const event of [
      orderEvent(agency.agencyId, { restaurantName: '김밥\ud800' }),
      { ...orderEvent(agency.agencyId), extra: tooDeep },
      { ...listed, dropoff: [listed.dropoff] },
    ]) {
      await expect(h.publish(event as OrderCreatedEvent)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(await h.query('SELECT 1 FROM dispatch.deliveries WHERE order_id = $1', [event.orderId])).toEqual([]);
    }
  });
});
