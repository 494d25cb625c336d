import { AgencyEntity } from './agencies/agency.entity.js';
import { ChargeEntity } from './charges/charge.entity.js';
import { GeocodeCacheEntity } from './geocoding/geocode-cache.entity.js';
import { FEE_MIGRATIONS } from './migrations/index.js';
import { QuoteEntity } from './quotes/quote.entity.js';
import { TariffVersionEntity } from './tariffs/tariff-version.entity.js';

/** The fee service's schema, entities and migrations: used by the service and by `npm run migrate`. */
export const FEE_DATABASE = { schema: 'fee', entities: [QuoteEntity, GeocodeCacheEntity, AgencyEntity, TariffVersionEntity, ChargeEntity], migrations: FEE_MIGRATIONS };
