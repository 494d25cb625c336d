import type { FieldError, Validated } from '../common/validation.js';
import { readFeeQuote } from '../fee-quote/fee-quote.reader.js';
import type { FeeQuoteResult } from './fee-quote-batch.request.js';

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Reads a `fee.quote-batch` reply to a batch of `asked` requests: one result per request, each a quote the
 * contract accepts (read by `readFeeQuote`) or an error with a code and a message. Anything else refuses the whole
 * reply, naming each bad field: a reply that cannot be trusted in part is not trusted at all.
 */
export function readFeeQuoteBatch(reply: unknown, asked: number): Validated<FeeQuoteResult[]> {
  if (!isObject(reply) || !Array.isArray(reply.results)) return refused([{ field: 'results', value: isObject(reply) ? reply.results : reply, reason: 'must be an array' }]);
  if (reply.results.length !== asked) return refused([{ field: 'results', value: reply.results.length, reason: `must hold one result per request (${asked})` }]);
  const errors: FieldError[] = [];
  const results = reply.results.map((result: unknown, i): FeeQuoteResult | undefined => {
    const field = `results[${i}]`;
    if (isObject(result) && 'quote' in result && !('error' in result)) {
      const quote = readFeeQuote(result.quote);
      if (quote.ok) return { quote: quote.value };
      errors.push(...quote.errors.map((e) => ({ ...e, field: `${field}.quote${e.field === '(body)' ? '' : `.${e.field}`}` })));
      return undefined;
    }
    if (isObject(result) && isObject(result.error) && !('quote' in result)) {
      const { code, message, details } = result.error;
      if (typeof code === 'string' && typeof message === 'string') return { error: { code, message, ...(details === undefined ? {} : { details }) } };
      errors.push({ field: `${field}.error`, value: result.error, reason: 'must have a string code and message' });
      return undefined;
    }
    errors.push({ field, value: result, reason: 'must be { quote } or { error }' });
    return undefined;
  });
  return errors.length > 0 ? refused(errors) : { ok: true, value: results as FeeQuoteResult[] };
}

const refused = (errors: FieldError[]): Validated<FeeQuoteResult[]> => ({ ok: false, errors });
