import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { excerpt, jsonInputProblem, MAX_JSON_DEPTH } from './json-input.js';
import { validateContract } from './validation.js';
import { GeoPoint } from './geo-point.js';

const nested = (depth: number, open = '[', close = ']', inner = '') => JSON.parse(open.repeat(depth) + inner + close.repeat(depth));

describe('jsonInputProblem', () => {
  it('passes ordinary input, emoji (paired surrogates) and Korean included', () => {
    expect(jsonInputProblem({ items: [{ name: '치킨 🍗', quantity: 2 }], note: null, ok: true, n: -0 })).toBeNull();
    expect(jsonInputProblem('plain')).toBeNull();
    expect(jsonInputProblem(nested(MAX_JSON_DEPTH))).toBeNull();
  });

  it('names the first container nested deeper than the limit, with a short excerpt', () => {
    const body = { externalOrderId: 'a', items: [{ name: 'x', options: nested(10_000) }] };
    const found = jsonInputProblem(body);
    expect(found).toEqual({
      field: `items[0].options${'[0]'.repeat(MAX_JSON_DEPTH - 3)}`,
      value: `${'['.repeat(40)}…`,
      reason: `nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep`,
    });
  });

  it('counts objects as levels too, and takes a smaller limit', () => {
    const deepObject = JSON.parse(`{"a":${'{"b":'.repeat(5)}1${'}'.repeat(5)}}`);
    expect(jsonInputProblem(deepObject, { maxDepth: 4 })).toMatchObject({ field: 'a.b.b.b', reason: expect.stringContaining('4 levels') });
    expect(jsonInputProblem(deepObject, { maxDepth: 6 })).toBeNull();
  });

  it('walks a million levels without overflowing the stack', () => {
    expect(jsonInputProblem({ x: nested(1_000_000) })?.field).toMatch(/^x\[0\]/);
  });

  it('refuses a lone surrogate anywhere, saying where, and never echoes it', () => {
    expect(jsonInputProblem({ dropoff: { address: 'a\ud800b' } })).toEqual({
      field: 'dropoff.address',
      value: 'a\ufffdb',
      reason: 'the text contains a lone UTF-16 surrogate (U+D800) at character 1: text must be well-formed Unicode',
    });
    expect(jsonInputProblem({ note: 'ok 😀 \udc00' })?.reason).toContain('U+DC00) at character 5');
    expect(jsonInputProblem(['😀', 'x\ud83d'])).toMatchObject({ field: '[1]', value: 'x\ufffd' });
    expect(jsonInputProblem('\ud800')).toMatchObject({ field: '(body)' });
  });

  it('refuses NUL in a string', () => {
    expect(jsonInputProblem({ items: [{ name: 'a\u0000' }] })).toEqual({
      field: 'items[0].name',
      value: 'a\ufffd',
      reason: 'the text contains NUL (U+0000) at character 1, which cannot be stored',
    });
  });

  it('refuses NUL and lone surrogates in field names, quoting the name in the path', () => {
    expect(jsonInputProblem({ extra: { 'k\u0000': 1 } })).toMatchObject({ field: 'extra["k\\u0000"]', value: 1, reason: expect.stringContaining('the field name contains NUL') });
    expect(jsonInputProblem({ '\ud800': 'v' })).toMatchObject({ field: '["\\ud800"]', reason: expect.stringContaining('the field name contains a lone') });
  });

  it('refuses __proto__, constructor and prototype as field names', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const body = JSON.parse(`{"items":[{"${key}":{"name":"z"}}]}`);
      expect(jsonInputProblem(body)).toMatchObject({ field: `items[0].${key}`, value: '{"name":"z"}', reason: expect.stringContaining('not allowed as a field name') });
    }
  });

  it('refuses numbers too large to be represented', () => {
    expect(jsonInputProblem(JSON.parse('{"orderAmount":1e400}'))).toMatchObject({ field: 'orderAmount', value: 'Infinity' });
    expect(jsonInputProblem(JSON.parse('{"a":[-1e999]}'))).toMatchObject({ field: 'a[0]', value: '-Infinity' });
  });

  it('quotes odd field names instead of writing a misleading path', () => {
    expect(jsonInputProblem({ 'a.b': { '': 'x\u0000' } })?.field).toBe('["a.b"][""]');
  });

  it('reports the first problem in document order', () => {
    expect(jsonInputProblem({ a: 'fine', b: ['x', 'y\u0000'], c: '\ud800' })?.field).toBe('b[1]');
  });
});

describe('excerpt', () => {
  it('is short, printable JSON whatever it is given', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.string({ unit: 'binary' }), (value, text) => {
        for (const shown of [excerpt(value), excerpt(text), excerpt({ [text]: [value, text] })]) {
          const json = JSON.stringify(shown);
          expect(JSON.stringify(JSON.parse(json))).toBe(json);
          if (typeof shown === 'string') {
            expect(shown.length).toBeLessThanOrEqual(41);
            expect(jsonInputProblem(shown)).toBeNull();
          }
        }
      }),
      { seed: 12, numRuns: 500 },
    );
  });
});

describe('validateContract', () => {
  it('refuses hostile input before class-transformer reads it', () => {
    expect(validateContract(GeoPoint, { lng: 127, lat: 37, extra: nested(10_000) })).toEqual({
      ok: false,
      errors: [expect.objectContaining({ field: expect.stringMatching(/^extra\[0\]/) })],
    });
    expect(validateContract(GeoPoint, JSON.parse('{"lng":127,"lat":37,"x":{"constructor":1}}'))).toMatchObject({
      ok: false,
      errors: [{ field: 'x.constructor' }],
    });
  });
});
