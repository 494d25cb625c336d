import { TARIFF_SCHEMAS } from '#contracts';
import { AGENCY_KEY_SCHEME, OPERATOR_SESSION_SCHEME, type ApiDocs } from '#platform';

/** dispatch's OpenAPI document: the agency's API, and fee's agency API reached through dispatch (`/fee/...`). */
export const DISPATCH_API_DOCS: ApiDocs = {
  title: 'baecha dispatch',
  description:
    "The agency operators' API: signing in with an operator's own account, its people and audit log, deliveries on the board and the hands on them, riders, dispatch settings, the tariff (docs/agency-api.md); " +
    "fee's agency API forwarded under `/fee/...` (docs/agency-dashboard.md). Riders speak socket.io at `/riders` (docs/rider-protocol.md), " +
    'which OpenAPI does not describe. Refusals are `{ error: { code, message, details } }`.',
  configure: (builder) => builder.addBearerAuth(AGENCY_KEY_SCHEME, 'agencyKey').addBearerAuth(OPERATOR_SESSION_SCHEME, 'operatorSession'),
  schemas: TARIFF_SCHEMAS,
};
