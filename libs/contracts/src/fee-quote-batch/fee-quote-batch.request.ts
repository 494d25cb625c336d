import { ArrayMaxSize, ArrayMinSize, IsArray, IsDefined } from 'class-validator';
import type { FeeQuote } from '../fee-quote/fee-quote.request.js';

/** Request/reply: several trips priced at once (`FeeQuoteBatchRequest`), each answered on its own (`FeeQuoteBatchReply`). */
export const FEE_QUOTE_BATCH = 'fee.quote-batch';

/** The most quote requests one batch may hold. */
export const FEE_QUOTE_BATCH_LIMIT = 100;

export class FeeQuoteBatchRequest {
  /**
   * Each a `FeeQuoteRequest` (any agency's, over the message; the key's agency's, over HTTP), checked on its own:
   * one that is invalid is answered with its errors and the others are priced.
   */
  @IsDefined({ message: 'is required' })
  @IsArray({ message: 'must be an array of quote requests' })
  @ArrayMinSize(1, { message: 'must hold at least one quote request' })
  @ArrayMaxSize(FEE_QUOTE_BATCH_LIMIT, { message: `must hold at most ${FEE_QUOTE_BATCH_LIMIT} quote requests; send more in several batches` })
  quotes: unknown[];

  /** A batch of 1 to the limit, taken as it is (see `ReadsPlain`): its items are each checked by the handler. */
  static plain(value: unknown): FeeQuoteBatchRequest | undefined {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const { quotes, ...rest } = value as Record<string, unknown>;
    if (Object.keys(rest).length > 0 || !Array.isArray(quotes) || quotes.length < 1 || quotes.length > FEE_QUOTE_BATCH_LIMIT) return undefined;
    return Object.assign(new FeeQuoteBatchRequest(), { quotes });
  }
}

/** Why one quote of a batch was not given: the same `{ code, message, details }` a single quote is refused with. */
export interface FeeQuoteError {
  code: string;
  message: string;
  details?: unknown;
}

/** One answer of a batch: the quote, or why there is none. */
export type FeeQuoteResult = { quote: FeeQuote } | { error: FeeQuoteError };

/** The answers, one per request and in the order asked. */
export interface FeeQuoteBatchReply {
  results: FeeQuoteResult[];
}
