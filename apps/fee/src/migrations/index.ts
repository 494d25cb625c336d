import { FeeQuotes1763769600000 } from './1763769600000-fee-quotes.js';

export const FEE_MIGRATIONS = [FeeQuotes1763769600000];
