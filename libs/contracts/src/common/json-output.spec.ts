import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { jsonUtf8 } from './json-output.js';

const stringified = (value: unknown) => Buffer.from((JSON.stringify(value) as string | undefined) ?? '');

/** A quote as the batch route answers it, Korean labels included. */
const quote = (i: number) => ({
  quoteId: `q-${i}`,
  attempts: [{ provider: 'kakao', outcome: 'no_credentials', ms: 0, skipped: true }],
  fee: { total: 5500, currency: 'KRW', items: [{ code: 'BASE', label: '기본요금 (1.5km까지)', amount: 3500 }] },
  pricedAt: new Date(Date.UTC(2026, 11, 6, 12, 0, i)),
  detourFactor: undefined,
});

describe('jsonUtf8', () => {
  it('writes a long answer, longer than its buffer, exactly as JSON.stringify, and puts a prefix first', () => {
    const answer = { results: Array.from({ length: 3000 }, (_, i) => (i % 7 === 3 ? { error: { code: 'NO_TARIFF', message: '요금표 없음' } } : { quote: quote(i) })) };
    const bytes = jsonUtf8(answer);
    expect(bytes.length).toBeGreaterThan(512 * 1024); // beyond the 256 kB buffer it starts with
    expect(bytes.equals(stringified(answer))).toBe(true);
    expect(jsonUtf8(answer, Buffer.of(1)).equals(Buffer.concat([Buffer.of(1), stringified(answer)]))).toBe(true);
    expect(jsonUtf8({ small: true }, Buffer.of(1)).equals(Buffer.concat([Buffer.of(1), stringified({ small: true })]))).toBe(true);
  });

  it('gives a toJSON that writes long JSON itself a buffer of its own', () => {
    const inner = Array.from({ length: 20 }, (_, i) => ({ n: i, label: '배달료' }));
    const outer = Array.from({ length: 20 }, (_, i) => ({ toJSON: () => ({ i, nested: jsonUtf8(inner).toString() }) }));
    expect(jsonUtf8(outer).toString()).toBe(JSON.stringify(outer));
  });

  it('keeps what JSON.stringify does with undefined, functions, symbols, toJSON, boxed values and holes in long lists', () => {
    const odd = [undefined, () => 1, Symbol('s'), new Date(0), new String('s'), new Number(2), NaN, -0, Infinity, null, , { toJSON: () => 'own' }, new Map([[1, 2]]), { a: undefined, b: () => 1 }, Object.create(null), 'x', 'y'];
    expect(odd.length).toBeGreaterThanOrEqual(16);
    for (const value of [odd, { list: odd, gone: undefined, fn: () => 1, n: 1 }, { toJSON: () => ({ list: odd }) }]) {
      expect(jsonUtf8(value).toString()).toBe(JSON.stringify(value));
    }
  });

  it('gives no bytes where JSON.stringify gives no text, and throws where it throws', () => {
    expect(jsonUtf8(undefined).length).toBe(0);
    const cyclic: Record<string, unknown> = { list: Array.from({ length: 20 }, (_, i) => i) };
    (cyclic.list as unknown[]).push(cyclic);
    expect(() => jsonUtf8(cyclic)).toThrow(TypeError);
    expect(() => jsonUtf8({ list: Array.from({ length: 20 }, () => 1n) })).toThrow(TypeError);
  });

  it('is byte for byte JSON.stringify for any value, long lists or not', () => {
    const longList = <T>(item: fc.Arbitrary<T>) => fc.array(item, { minLength: 16, maxLength: 40 });
    const value = fc.oneof(
      fc.anything(),
      longList(fc.anything()),
      fc.dictionary(fc.string(), fc.oneof(fc.anything(), longList(fc.anything()))),
      fc.record({ results: longList(fc.oneof(longList(fc.jsonValue()), fc.object())), meta: fc.anything() }),
    );
    fc.assert(
      fc.property(value, (v) => {
        expect(jsonUtf8(v).equals(stringified(v))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
