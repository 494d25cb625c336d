import { TARIFF_SCHEMAS } from '#contracts';
import { AGENCY_KEY_SCHEME, type ApiDocs } from '#platform';

/** fee's OpenAPI document: quotes, geocoding, and each agency's tariff, settlements and reconciliation. */
export const FEE_API_DOCS: ApiDocs = {
  title: 'baecha fee',
  description:
    "Prices deliveries by each agency's tariff and road distance, with the distance's provenance (docs/fees.md). " +
    'Refusals are `{ error: { code, message, details } }`.',
  configure: (builder) => builder.addBearerAuth(AGENCY_KEY_SCHEME, 'agencyKey'),
  schemas: TARIFF_SCHEMAS,
};
