import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { MAX_JSON_DEPTH } from '#contracts';
import { queryRows } from '../../../../test/support/database.js';
import { orderBody, startIntake, type Answer, type IntakeHarness } from '../../test/intake-harness.js';
import { webhookHeaders } from '../webhooks/webhook-signature.js';

const deepArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const deepObjects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
/** A valid order's JSON text with `field` set to raw JSON text (which JSON.stringify could not even produce). */
const withRaw = (field: string, rawJson: string, body = orderBody()) => JSON.stringify({ ...body, [field]: '@RAW@' }).replace('"@RAW@"', rawJson);

describe('order intake refuses hostile input with a 400 naming the field, and stores nothing (component, real PostgreSQL)', () => {
  let h: IntakeHarness;

  beforeAll(async () => {
    h = await startIntake();
  });

  afterAll(async () => {
    await h?.close();
  });

  /** Sends a signed order that must be refused, checks that nothing was stored, and returns the answer. */
  async function refused(body: string | Buffer, status = 400): Promise<Answer> {
    const before = await h.counts();
    const answer = await h.postOrder(body);
    expect({ status: answer.status, body: answer.body }).toEqual({ status, body: expect.anything() });
    expect(await h.counts()).toEqual(before);
    return answer;
  }

  async function expectField(body: string | Buffer, field: string | RegExp, reason: RegExp) {
    const answer = await refused(body);
    expect(answer.body.error).toEqual({
      code: 'VALIDATION_FAILED',
      message: expect.any(String),
      details: [{ field: typeof field === 'string' ? field : expect.stringMatching(field), value: expect.anything(), reason: expect.stringMatching(reason) }],
    });
    return answer.body.error.details[0];
  }

  describe('nesting 10,000 levels deep', () => {
    const tooDeep = new RegExp(`more than ${MAX_JSON_DEPTH} levels deep`);
    const cases: Array<[string, string, RegExp]> = [
      ['arrays in an unknown field', withRaw('extra', deepArrays(10_000)), /^extra(\[0\]){31}$/],
      ['objects in an item', JSON.stringify(orderBody()).replace('"items":[{', `"items":[{"options":${deepObjects(10_000)},`), /^items\[0\]\.options(\.a){29}$/],
      ['objects as the customer', withRaw('customer', deepObjects(10_000)), /^customer(\.a){31}$/],
      ['arrays as the dropoff detail', JSON.stringify(orderBody()).replace('"detail":"3층 302호"', `"detail":${deepArrays(10_000)}`), /^dropoff\.detail(\[0\]){30}$/],
      ['arrays as the whole body', deepArrays(10_000), /^(\[0\]){32}$/],
    ];

    it.each(cases)('400 for %s, naming the field, with a short excerpt', async (_, body, field) => {
      const detail = await expectField(body, field, tooDeep);
      expect(String(detail.value).length).toBeLessThanOrEqual(41);
    });

    it('still takes orders after refusing them', async () => {
      expect((await h.postOrder(JSON.stringify(orderBody()))).status).toBe(202);
    });
  });

  describe('a lone UTF-16 surrogate, NUL, or a reserved field name anywhere', () => {
    const lone = /lone UTF-16 surrogate \(U\+D800\) at character 1/;
    const nul = /NUL \(U\+0000\) at character 1/;
    const cases: Array<[string, string, string, RegExp]> = [
      ['a lone surrogate in externalOrderId', JSON.stringify(orderBody({ externalOrderId: 'A\ud800-1' })), 'externalOrderId', lone],
      ['a lone surrogate in the dropoff address', JSON.stringify(orderBody({ dropoff: { address: '서\ud800울', lng: 126.9769, lat: 37.5759 } })), 'dropoff.address', lone],
      ['a lone low surrogate in an item name', JSON.stringify(orderBody({ items: [{ name: '칼국수', quantity: 1, unitPrice: 1 }, { name: '만\udc00', quantity: 1, unitPrice: 1 }] })), 'items[1].name', /U\+DC00\) at character 1/],
      ['a lone surrogate in the note', JSON.stringify(orderBody({ note: 'a\ud800b' })), 'note', lone],
      ['a lone surrogate in the customer phone', JSON.stringify(orderBody({ customer: { phone: '0\ud800' } })), 'customer.phone', lone],
      ['a lone surrogate in an unknown field', JSON.stringify(orderBody({ memo: 'x\ud800' })), 'memo', lone],
      ['a lone surrogate in a field name', JSON.stringify(orderBody({ 'm\ud800': 1 })), '["m\\ud800"]', /field name contains a lone/],
      ['NUL in the dropoff address', JSON.stringify(orderBody({ dropoff: { address: '서\u0000울', lng: 126.9769, lat: 37.5759 } })), 'dropoff.address', nul],
      ['NUL in an unknown field', JSON.stringify(orderBody({ memo: 'x\u0000' })), 'memo', nul],
      ['NUL in a field name', JSON.stringify(orderBody({ 'm\u0000': 1 })), '["m\\u0000"]', /field name contains NUL/],
      ['__proto__ as a field', withRaw('__proto__', '{"orderAmount":1}'), '__proto__', /not allowed as a field name/],
      ['constructor in an item', JSON.stringify(orderBody()).replace('"items":[{', '"items":[{"constructor":{"name":"x"},'), 'items[0].constructor', /not allowed/],
      ['prototype in the dropoff', JSON.stringify(orderBody()).replace('"dropoff":{', '"dropoff":{"prototype":1,'), 'dropoff.prototype', /not allowed/],
      ['1e400 as the order amount', JSON.stringify(orderBody()).replace('"orderAmount":25000', '"orderAmount":1e400'), 'orderAmount', /too large to be represented/],
      ['-1e400 in an unknown field', withRaw('memo', '[-1e400]'), 'memo[0]', /too large/],
    ];

    it.each(cases)('400 for %s', async (_, body, field, reason) => {
      const detail = await expectField(body, field, reason);
      // The excerpt never carries what it was refused for.
      expect(JSON.stringify(detail.value)).not.toMatch(/\\u0000|\\ud[89a-f]/i);
    });
  });

  it.each([
    ['the dropoff', { dropoff: [] }, 'dropoff'],
    ['the customer', { customer: [{ phone: '010-1234-5678' }] }, 'customer'],
    ['an item', { items: [[{ name: '칼국수', quantity: 1, unitPrice: 9000 }]] }, 'items[0]'],
  ])('400 for %s given as a list instead of an object', async (_, change, field) => {
    await expectField(JSON.stringify(orderBody(change)), field, /^must be an object$/);
  });

  describe('bytes that are not UTF-8', () => {
    const note = (bytes: number[]) => {
      const [head, tail] = withRaw('note', '"@"').split('@');
      return Buffer.concat([Buffer.from(head), Buffer.from(bytes), Buffer.from(tail)]);
    };

    it.each([
      ['bytes that are never UTF-8', [0xff, 0xfe]],
      ['a surrogate encoded as UTF-8 (CESU-8)', [0xed, 0xa0, 0x80]],
      ['an overlong encoding', [0xc0, 0xaf]],
      ['a truncated sequence', [0xea, 0xb0]],
    ])('400 INVALID_JSON for %s, rather than storing U+FFFD in their place', async (_, bytes) => {
      const answer = await refused(note(bytes));
      expect(answer.body.error).toEqual({ code: 'INVALID_JSON', message: expect.stringContaining('not valid UTF-8') });
    });
  });

  it('takes the last of duplicated keys, as JSON.parse and PostgreSQL do', async () => {
    const body = JSON.stringify(orderBody()).replace('"orderAmount":25000', '"orderAmount":1000,"orderAmount":25000');
    const answer = await h.postOrder(body);
    expect(answer.status).toBe(202);
    const [order] = await queryRows<{ order_amount: number }>(h.databaseUrl, 'SELECT order_amount FROM intake.orders WHERE id = $1', [answer.body.orderId]);
    expect(order.order_amount).toBe(25000);
  });

  describe('webhook-id header values', () => {
    it('401 SIGNATURE_INVALID naming the rule for a webhook-id that is not visible ASCII', async () => {
      const body = JSON.stringify(orderBody());
      for (const id of ['msg_é', 'msg 1', `msg_${'x'.repeat(10_000)}`]) {
        const before = await h.counts();
        const answer = await h.postOrder(body, { headers: { 'content-type': 'application/json', ...webhookHeaders(h.restaurant.webhookSecret, body, { id }) } });
        expect(answer.status).toBe(401);
        expect(answer.body.error).toEqual({ code: 'SIGNATURE_INVALID', message: expect.stringMatching(/webhook-id must be 1 to 256 visible ASCII characters/) });
        expect(await h.counts()).toEqual(before);
      }
    });

    it('400 from the HTTP server itself for NUL or a control character in a header, before any of ours runs', async () => {
      const body = JSON.stringify(orderBody());
      for (const id of ['msg_\u0000x', 'msg_\u0001x']) {
        const headers = webhookHeaders(h.restaurant.webhookSecret, body, { id });
        const lines = [
          `POST /v1/restaurants/${h.restaurant.restaurantId}/orders HTTP/1.1`,
          'Host: 127.0.0.1',
          'Content-Type: application/json',
          `Content-Length: ${Buffer.byteLength(body)}`,
          ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
          'Connection: close',
        ];
        const before = await h.counts();
        expect(await h.sendRaw(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), Buffer.from(body)]))).toBe(400);
        expect(await h.counts()).toEqual(before);
      }
    });
  });

  it('refuses a callback URL that is deep, carries a lone surrogate or NUL, and keeps the one set', async () => {
    const auth = { authorization: `Bearer ${h.restaurant.apiKey}`, 'content-type': 'application/json' };
    const path = `/v1/restaurants/${h.restaurant.restaurantId}/callback`;
    const stored = async () =>
      (await queryRows<{ callback_url: string | null }>(h.databaseUrl, 'SELECT callback_url FROM intake.restaurants WHERE id = $1', [h.restaurant.restaurantId]))[0].callback_url;
    const before = await stored();
    for (const [body, field] of [
      // The callback body is limited to 8 KiB.
      [`{"url":${deepArrays(3_000)}}`, /^url(\[0\]){31}$/],
      [JSON.stringify({ url: 'https://pos.example/\ud800' }), /^url$/],
      [JSON.stringify({ url: 'https://pos.example/\u0000' }), /^url$/],
      [`{"url":"https://pos.example/","constructor":{}}`, /^constructor$/],
    ] as const) {
      const answer = await h.send('PUT', path, body, auth);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: expect.stringMatching(field) }] });
    }
    expect(await stored()).toBe(before);
  });

  it('answers a query string with NUL, bad bytes or a repeated parameter with a 400 naming it; never nests one', async () => {
    const auth = { authorization: `Bearer ${h.restaurant.apiKey}` };
    const path = `/v1/restaurants/${h.restaurant.restaurantId}/callbacks`;
    for (const [query, field] of [
      ['?state=%00', 'state'],
      ['?orderId=%ED%A0%80', 'orderId'],
      [`?state=${'x'.repeat(5000)}`, 'state'],
      ['?state=pending&state=delivered', 'state'],
    ]) {
      const answer = await h.send('GET', path + query, undefined, auth);
      expect({ status: answer.status, code: answer.body.error.code, field: answer.body.error.details[0].field }).toEqual({ status: 400, code: 'VALIDATION_FAILED', field });
    }
    // Express's simple query parser keeps `limit[a][b]` a flat name, which no endpoint reads.
    expect((await h.send('GET', `${path}?limit[a][b]=1`, undefined, auth)).status).toBe(200);
  });

  it('accepts the corrected order under the webhook-id a refused one used', async () => {
    const id = `msg_${randomUUID().replaceAll('-', '')}`;
    const body = orderBody();
    expect((await h.postOrder(JSON.stringify({ ...body, note: 'a\ud800' }), { id })).status).toBe(400);
    expect((await h.postOrder(JSON.stringify(body), { id })).status).toBe(202);
  });
});
