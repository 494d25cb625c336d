import { kakaoGatewayError } from './kakao-directions.adapter.js';
import { getJson, isRecord, toNumber, type CallOptions } from './provider-http.js';
import { ProviderError } from './provider-outcome.js';
import type { GeocodedPoint, GeocodingProvider } from './routing.js';

const PROVIDER = 'kakao';

/** Kakao Local address search: `GET /v2/local/search/address.json`; `documents[0].x` (longitude) and `.y` are strings. */
export class KakaoLocal implements GeocodingProvider {
  readonly name = PROVIDER;

  constructor(
    private readonly baseUrl: string,
    private readonly restApiKey: string,
  ) {}

  async geocode(address: string, options: CallOptions): Promise<GeocodedPoint> {
    const url = new URL('/v2/local/search/address.json', this.baseUrl);
    url.searchParams.set('query', address);
    url.searchParams.set('size', '1');
    const answer = await getJson(PROVIDER, url, { authorization: `KakaoAK ${this.restApiKey}` }, options);
    if (answer.status !== 200) throw kakaoGatewayError(answer);
    return parseKakaoAddress(answer.json);
  }
}

/** Reads a Kakao Local address search body. */
export function parseKakaoAddress(json: unknown): GeocodedPoint {
  if (!isRecord(json) || !Array.isArray(json.documents)) {
    throw new ProviderError(PROVIDER, 'malformed', 'no documents array', 200);
  }
  if (json.documents.length === 0) throw new ProviderError(PROVIDER, 'not_found', 'no document matches the address', 200);
  const first = json.documents[0];
  const lng = toNumber(isRecord(first) ? first.x : undefined);
  const lat = toNumber(isRecord(first) ? first.y : undefined);
  if (lng === undefined || lat === undefined) throw new ProviderError(PROVIDER, 'malformed', 'documents[0].x/y missing', 200);
  return { lng, lat, provider: PROVIDER };
}
