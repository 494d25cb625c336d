import { naverGatewayError, naverHeaders } from './naver-directions.adapter.js';
import { getJson, isRecord, toNumber, type CallOptions } from './provider-http.js';
import { ProviderError } from './provider-outcome.js';
import type { GeocodedPoint, GeocodingProvider } from './routing.js';

const PROVIDER = 'naver';

/** NCP Geocoding: `GET /map-geocode/v2/geocode`; `addresses[0].x` (longitude) and `.y` are strings. */
export class NaverGeocoding implements GeocodingProvider {
  readonly name = PROVIDER;

  constructor(
    private readonly baseUrl: string,
    private readonly clientId: string,
    private readonly clientSecret: string,
  ) {}

  async geocode(address: string, options: CallOptions): Promise<GeocodedPoint> {
    const url = new URL('/map-geocode/v2/geocode', this.baseUrl);
    url.searchParams.set('query', address);
    url.searchParams.set('count', '1');
    const answer = await getJson(PROVIDER, url, naverHeaders(this.clientId, this.clientSecret), options);
    if (answer.status !== 200) throw naverGatewayError(answer);
    return parseNaverGeocode(answer.json);
  }
}

/** Reads a Geocoding 200 body. */
export function parseNaverGeocode(json: unknown): GeocodedPoint {
  if (!isRecord(json)) throw new ProviderError(PROVIDER, 'malformed', 'not a JSON object', 200);
  if (json.status !== 'OK') {
    throw new ProviderError(PROVIDER, 'bad_request', `status ${String(json.status)}: ${String(json.errorMessage ?? '')}`.trim(), 200);
  }
  if (!Array.isArray(json.addresses)) throw new ProviderError(PROVIDER, 'malformed', 'no addresses array', 200);
  if (json.addresses.length === 0) throw new ProviderError(PROVIDER, 'not_found', 'no address matches', 200);
  const first = json.addresses[0];
  const lng = toNumber(isRecord(first) ? first.x : undefined);
  const lat = toNumber(isRecord(first) ? first.y : undefined);
  if (lng === undefined || lat === undefined) throw new ProviderError(PROVIDER, 'malformed', 'addresses[0].x/y missing', 200);
  return { lng, lat, provider: PROVIDER };
}
