import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { queryRows } from '../../../../test/support/database.js';
import { orderBody, startIntake, type IntakeHarness } from '../../test/intake-harness.js';
import { webhookHeaders } from '../webhooks/webhook-signature.js';

/*
 * Whatever a restaurant (or anyone holding its secret, or not) sends as an order, intake answers 2xx or 4xx,
 * never 5xx: a 5xx tells the sender to retry, forever. Generated bodies are sent as exact bytes, signed (and
 * sometimes not) to a real intake on a real PostgreSQL; a 4xx stores nothing, a 2xx stores exactly one order, and
 * sending the same request again gets the same answer.
 */

const deepArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const deepObjects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit));
const around = (middle: fc.Arbitrary<string>) => fc.tuple(fc.string({ maxLength: 6 }), middle, fc.string({ maxLength: 6 })).map((parts) => parts.join(''));

const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  around(loneSurrogate),
  around(fc.constant('\u0000')),
  fc.constantFrom('', ' ', '\u00a0', '😀', '😀\ud83d', '010-1234-5678', '서울 종로구 세종대로 172', 'x'.repeat(501), 'x'.repeat(70_000)),
);

/** JSON text, some of which no serialiser writes: numbers past a double, nesting far past any limit. */
const hostileJson: fc.Arbitrary<string> = fc.oneof(
  hostileText.map((text) => JSON.stringify(text)),
  fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
  fc.constantFrom('1e400', '-1e400', '-0', '9007199254740993', '1e-400', '1.5', '-1', '0', '100000001', '126.97', '37.57', 'true', 'null', '{}', '[]', '"126.97"'),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(String),
  // Instants: well formed and near, far off, in the past, impossible, without an offset.
  fc.integer({ min: -600, max: 600 }).map((minutes) => JSON.stringify(new Date(Date.now() + minutes * 60_000).toISOString())),
  fc.constantFrom('"2026-02-30T12:00:00+09:00"', '"2026-12-06T12:30:00"', '"2026-12-06T24:00:00Z"', '"+275760-09-13T00:00:00Z"', '"9999-12-31T23:59:59.999999+23:59"'),
  fc.integer({ min: 20, max: 12_000 }).chain((depth) => fc.constantFrom(deepArrays(depth), deepObjects(depth))),
);

type Path = Array<string | number>;
const FIELDS: Path[] = [
  ['externalOrderId'], ['dropoff'], ['dropoff', 'address'], ['dropoff', 'lng'], ['dropoff', 'lat'], ['dropoff', 'detail'],
  ['customer'], ['customer', 'phone'], ['items'], ['items', 0], ['items', 0, 'name'], ['items', 0, 'quantity'],
  ['items', 0, 'unitPrice'], ['orderAmount'], ['note'], ['cookingMinutes'], ['readyAt'], ['promisedMinutes'], ['promisedAt'],
];
const OBJECTS: Path[] = [[], ['dropoff'], ['customer'], ['items', 0]];
const PLACEHOLDER = '@@hostile@@';

type Mutation =
  | { kind: 'set'; path: Path; json: string }
  | { kind: 'delete'; path: Path }
  | { kind: 'add'; path: Path; key: string; json: string }
  | { kind: 'repeat'; key: string; json: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), path: fc.constantFrom(...FIELDS), json: hostileJson }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), path: fc.constantFrom(...FIELDS) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      path: fc.constantFrom(...OBJECTS),
      key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'extra', ''), hostileText),
      json: hostileJson,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('repeat' as const), key: fc.constantFrom('orderAmount', 'externalOrderId', 'items'), json: hostileJson }) },
);

/** A valid order changed in one place, as JSON text (so it may hold what JSON.stringify never writes). */
function mutated(change: Mutation): string {
  const body = orderBody();
  if (change.kind === 'repeat') return JSON.stringify(body).replace(/}$/, `,${JSON.stringify(change.key)}:${change.json}}`);
  const path = change.path;
  const parent = (change.kind === 'add' ? path : path.slice(0, -1)).reduce<any>((node, key) => node[key], body);
  if (change.kind === 'delete') delete parent[path[path.length - 1]];
  // defineProperty: plain assignment to `__proto__` would set the prototype instead of adding a field.
  else if (change.kind === 'add') Object.defineProperty(parent, change.key, { value: PLACEHOLDER, enumerable: true, configurable: true, writable: true });
  else parent[path[path.length - 1]] = PLACEHOLDER;
  return JSON.stringify(body).replace(JSON.stringify(PLACEHOLDER), change.kind === 'delete' ? 'null' : change.json);
}

/** A valid order with raw bytes (UTF-8 or not) spliced into its note. */
const withBytesInNote = fc.uint8Array({ minLength: 1, maxLength: 8 }).map((bytes) => {
  const [head, tail] = JSON.stringify(orderBody({ note: PLACEHOLDER })).split(PLACEHOLDER);
  return Buffer.concat([Buffer.from(head), Buffer.from(bytes), Buffer.from(tail)]);
});

const body: fc.Arbitrary<string | Buffer> = fc.oneof(
  { weight: 8, arbitrary: mutation.map(mutated) },
  { weight: 1, arbitrary: fc.constant(null).map(() => JSON.stringify(orderBody())) },
  { weight: 1, arbitrary: hostileJson },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: withBytesInNote },
);

/** How the request is signed: mostly right, since only a signed body reaches the parts that store. */
type Signing = 'valid' | 'other-secret' | 'tampered' | 'unsigned' | 'odd-id';
const signing = fc.oneof(
  { weight: 12, arbitrary: fc.constant<Signing>('valid') },
  { weight: 1, arbitrary: fc.constantFrom<Signing>('other-secret', 'tampered', 'unsigned', 'odd-id') },
);

describe('the order webhook under hostile input (property, component, real PostgreSQL)', () => {
  let h: IntakeHarness;
  const otherSecret = `whsec_${Buffer.from(randomUUID()).toString('base64')}`;

  beforeAll(async () => {
    // The outbox relay warns of every event it cannot publish yet (dispatch is not running), on every order.
    h = await startIntake({ LOG_LEVEL: 'error' });
  });

  afterAll(async () => {
    await h?.close();
  });

  function send(raw: string | Buffer, how: Signing, id: string) {
    const sentId = how === 'odd-id' ? `${id}_é` : id;
    const headers = { 'content-type': 'application/json', ...webhookHeaders(how === 'other-secret' ? otherSecret : h.restaurant.webhookSecret, raw, { id: sentId }) };
    if (how === 'unsigned') return h.postOrder(raw, { headers: { 'content-type': 'application/json', 'webhook-id': id } });
    return h.postOrder(how === 'tampered' ? Buffer.concat([Buffer.from(raw), Buffer.from(' ')]) : raw, { headers });
  }

  const ordersFor = (webhookId: string) =>
    queryRows<{ order_id: string }>(h.databaseUrl, 'SELECT order_id FROM intake.webhook_receipts WHERE restaurant_id = $1 AND webhook_id = $2', [h.restaurant.restaurantId, webhookId]);

  it('answers 2xx or 4xx, never 5xx; stores nothing on a 4xx and one order on a 2xx; answers a replay the same', async () => {
    await fc.assert(
      fc.asyncProperty(body, signing, async (raw, how) => {
        const id = `msg_${randomUUID().replaceAll('-', '')}`;
        const before = await h.counts();
        const first = await send(raw, how, id);
        expect(first.status).toBeGreaterThanOrEqual(200);
        expect(first.status).toBeLessThan(500);
        const after = await h.counts();
        if (first.status >= 400) {
          expect(after).toEqual(before);
          expect(first.body?.error?.code).toEqual(expect.any(String));
        } else {
          expect(first.status).toBe(202);
          const receipts = await ordersFor(id);
          // A new order under this webhook-id, or (its externalOrderId and content seen before) the existing one.
          expect(receipts.map((r) => r.order_id)).toEqual(receipts.length === 0 ? [] : [first.body.orderId]);
          expect(after.orders).toBe(before.orders + receipts.length);
          const [{ n }] = await queryRows<{ n: number }>(h.databaseUrl, 'SELECT count(*)::int AS n FROM intake.orders WHERE id = $1', [first.body.orderId]);
          expect(n).toBe(1);
        }
        const again = await send(raw, how, id);
        expect({ status: again.status, text: again.text }).toEqual({ status: first.status, text: first.text });
        expect(await h.counts()).toEqual(after);
      }),
      { numRuns: 300, seed: 20_261_205 },
    );
  }, 300_000);
});
