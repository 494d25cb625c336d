import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { sampleFeeQuote } from '../testing/fee-quote.sample.js';
import { readFeeQuoteBatch } from './fee-quote-batch.reader.js';

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
