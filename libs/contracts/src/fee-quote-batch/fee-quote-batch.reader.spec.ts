import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { sampleFeeQuote } from '../testing/fee-quote.sample.js';
import { validateContract, validateFully } from '../common/validation.js';
import { readFeeQuoteBatch } from './fee-quote-batch.reader.js';
import { FeeQuoteBatchRequest } from './fee-quote-batch.request.js';

describe('readFeeQuoteBatch', () => {
  it('reads one result per request, quotes and errors, in order', () => {
    const quote = sampleFeeQuote();
    const read = readFeeQuoteBatch({ results: [{ quote }, { error: { code: 'NO_TARIFF', message: 'no tariff', details: { agencyId: 'a' } } }] }, 2);
    expect(read).toEqual({ ok: true, value: [{ quote }, { error: { code: 'NO_TARIFF', message: 'no tariff', details: { agencyId: 'a' } } }] });
  });

  it.each<[string, unknown, string]>([
    ['a reply that is not an object', 'ok', 'results'],
    ['no results', {}, 'results'],
    ['fewer results than requests', { results: [{ quote: sampleFeeQuote() }] }, 'results'],
    ['a quote the contract refuses', { results: [{ quote: sampleFeeQuote() }, { quote: { ...sampleFeeQuote(), tariffVersion: 0 } }] }, 'results[1].quote.tariffVersion'],
    ['an error without a code', { results: [{ quote: sampleFeeQuote() }, { error: { message: 'why' } }] }, 'results[1].error'],
    ['a result that is neither', { results: [{ quote: sampleFeeQuote() }, { quote: sampleFeeQuote(), error: { code: 'X', message: 'y' } }] }, 'results[1]'],
  ])('refuses %s, naming the field', (_name, reply, field) => {
    const read = readFeeQuoteBatch(reply, 2);
    expect(read.ok).toBe(false);
    expect(!read.ok && read.errors.map((e) => e.field)).toContain(field);
  });
});

describe('FeeQuoteBatchRequest.plain', () => {
  const item = { agencyId: '4a1d0f2e-5c6b-4e7d-8a9f-1b2c3d4e5f03', pickup: { lng: 126.978, lat: 37.5665 }, dropoff: { lng: 126.9769, lat: 37.5759 } };

  it.each<[string, unknown, boolean]>([
    ['one request', { quotes: [item] }, true],
    ['the limit', { quotes: Array.from({ length: 100 }, () => item) }, true],
    ['items of any shape, each checked later', { quotes: [item, 'x', null, { nested: [1, { a: 2 }] }] }, true],
    ['one over the limit', { quotes: Array.from({ length: 101 }, () => item) }, false],
    ['none', { quotes: [] }, false],
    ['an extra field', { quotes: [item], more: true }, false],
    ['no array', { quotes: 'all' }, false],
    ['an array', [item], false],
  ])('agrees with the full validation on %s', (_name, body, taken) => {
    const fast = FeeQuoteBatchRequest.plain(body);
    const full = validateFully(FeeQuoteBatchRequest, body);
    expect(fast !== undefined).toBe(taken);
    if (fast) expect(full).toStrictEqual({ ok: true, value: fast });
    else expect(validateContract(FeeQuoteBatchRequest, body)).toStrictEqual(full);
  });
});
