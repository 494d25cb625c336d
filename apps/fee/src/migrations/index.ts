import { FeeQuotes1763769600000 } from './1763769600000-fee-quotes.js';
import { FeeQuoteProvenance1763856000000 } from './1763856000000-fee-quote-provenance.js';
import { FeeGeocodeCache1763942400000 } from './1763942400000-fee-geocode-cache.js';
import { FeeTariffs1764028800000 } from './1764028800000-fee-tariffs.js';
import { FeeQuoteReconcileFailures1764288000000 } from './1764288000000-fee-quote-reconcile-failures.js';
import { FeeAgencyKeyRotation1766000000000 } from './1766000000000-fee-agency-key-rotation.js';

export const FEE_MIGRATIONS = [FeeQuotes1763769600000, FeeQuoteProvenance1763856000000, FeeGeocodeCache1763942400000, FeeTariffs1764028800000, FeeQuoteReconcileFailures1764288000000, FeeAgencyKeyRotation1766000000000];
