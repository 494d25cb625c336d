import { FeeQuotes1763769600000 } from './1763769600000-fee-quotes.js';
import { FeeQuoteProvenance1763856000000 } from './1763856000000-fee-quote-provenance.js';

export const FEE_MIGRATIONS = [FeeQuotes1763769600000, FeeQuoteProvenance1763856000000];
