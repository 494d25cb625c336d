import type { LngLat } from '#contracts';
import { outcomeForStatus } from './kakao-directions.adapter.js';
import { excerpt, getJson, isRecord, toNumber, type CallOptions, type HttpAnswer } from './provider-http.js';
import { parseRetryAfter, ProviderError, type CallOutcome } from './provider-outcome.js';
import type { Route, RoutingProvider } from './routing.js';

const PROVIDER = 'naver';

/**
 * Directions 5 route failures (NCP Maps docs): inside a 200 as `code` on the old naveropenapi host, and as an
 * HTTP 400 `error.errorCode` on the new maps.apigw host. They describe the trip, not Naver's health.
 */
const ROUTE_CODES: Record<number, CallOutcome> = {
  1: 'too_close', // 출발지와 도착지가 동일
  2: 'not_near_road', // 출발지 또는 도착지가 도로 주변이 아님
  3: 'no_route', // 자동차 길찾기 결과 제공 불가
  4: 'not_near_road', // 경유지가 도로 주변이 아님
  5: 'no_route', // 요청 경로가 매우 긴 경우 (경유지를 포함한 직선거리의 합이 1500km 이상)
};

/** NCP API Gateway error codes, `{ error: { errorCode, message, details } }` (공통 에러 table). */
const GATEWAY_CODES: Record<string, CallOutcome> = {
  '100': 'bad_request',
  '200': 'bad_credentials',
  '210': 'bad_credentials',
  '300': 'bad_credentials', // "Not Found Exception": the API is not subscribed for this key
  '400': 'rate_limited',
  '410': 'rate_limited',
  '420': 'rate_limited',
  '430': 'bad_request',
  '500': 'unavailable',
  '510': 'unavailable',
  '900': 'unavailable',
};

/** The NCP headers, shared by Directions and Geocoding. */
export function naverHeaders(clientId: string, clientSecret: string): Record<string, string> {
  return { 'x-ncp-apigw-api-key-id': clientId, 'x-ncp-apigw-api-key': clientSecret };
}

/** Classifies a non-2xx answer from an NCP Maps API; route failures of the new host are recognised by code. */
export function naverGatewayError(answer: HttpAnswer, routeCodes: Record<number, CallOutcome> = {}): ProviderError {
  const body = isRecord(answer.json) ? answer.json : {};
  const error = isRecord(body.error) ? body.error : undefined;
  const errorCode = error?.errorCode === undefined ? undefined : String(error.errorCode);
  const message = String(error?.message ?? body.errorMessage ?? (excerpt(answer.text) || 'no body'));
  let outcome: CallOutcome | undefined;
  if (answer.status === 400 && errorCode !== undefined && routeCodes[Number(errorCode)]) outcome = routeCodes[Number(errorCode)];
  if (!outcome && errorCode !== undefined) outcome = GATEWAY_CODES[errorCode];
  if (!outcome) outcome = outcomeForStatus(answer.status);
  const retryAfterMs = outcome === 'rate_limited' ? parseRetryAfter(answer.headers.get('retry-after')) : undefined;
  const details = typeof error?.details === 'string' && error.details !== '' ? ` (${error.details})` : '';
  const label = errorCode === undefined ? message : `${errorCode} ${message}`;
  return new ProviderError(PROVIDER, outcome, `HTTP ${answer.status}: ${label}${details}`, answer.status, retryAfterMs);
}

/** NCP Directions 5: `GET /map-direction/v1/driving`, lng,lat order, distance in metres, duration in milliseconds. */
export class NaverDirections implements RoutingProvider {
  readonly name = PROVIDER;

  constructor(
    private readonly baseUrl: string,
    private readonly clientId: string,
    private readonly clientSecret: string,
  ) {}

  async route(from: LngLat, to: LngLat, options: CallOptions): Promise<Route> {
    const url = new URL('/map-direction/v1/driving', this.baseUrl);
    url.searchParams.set('start', `${from.lng},${from.lat}`);
    url.searchParams.set('goal', `${to.lng},${to.lat}`);
    url.searchParams.set('option', 'traoptimal');
    const answer = await getJson(PROVIDER, url, naverHeaders(this.clientId, this.clientSecret), options);
    if (answer.status !== 200) throw naverGatewayError(answer, ROUTE_CODES);
    return parseNaverDirections(answer.json, answer.text);
  }
}

/** Reads a Directions 5 200 body: a route, or the route failure its `code` reports. */
export function parseNaverDirections(json: unknown, text = ''): Route {
  if (!isRecord(json)) throw new ProviderError(PROVIDER, 'malformed', `not a JSON object: ${excerpt(text) || 'empty body'}`, 200);
  const code = toNumber(json.code);
  if (code === undefined) throw new ProviderError(PROVIDER, 'malformed', 'code missing', 200);
  if (code !== 0) {
    throw new ProviderError(PROVIDER, ROUTE_CODES[code] ?? 'no_route', `code ${code}: ${String(json.message ?? '')}`.trim(), 200);
  }
  const options = isRecord(json.route) ? json.route : undefined;
  const first = Array.isArray(options?.traoptimal) ? options.traoptimal[0] : undefined;
  const summary = isRecord(first) && isRecord(first.summary) ? first.summary : undefined;
  const distance = toNumber(summary?.distance);
  const durationMs = toNumber(summary?.duration);
  if (distance === undefined || durationMs === undefined || distance < 0 || durationMs < 0) {
    throw new ProviderError(PROVIDER, 'malformed', 'route.traoptimal[0].summary.distance/duration missing', 200);
  }
  return { distanceMeters: Math.round(distance), durationSeconds: Math.round(durationMs / 1000), provider: PROVIDER, estimated: false };
}
