import type { LngLat } from '#contracts';
import { excerpt, getJson, isRecord, toNumber, type CallOptions, type HttpAnswer } from './provider-http.js';
import { parseRetryAfter, ProviderError, type CallOutcome } from './provider-outcome.js';
import type { Route, RoutingProvider } from './routing.js';

const PROVIDER = 'kakao';

/**
 * Kakao Mobility's `routes[0].result_code` when it is not 0 (developers.kakaomobility.com, 길찾기 API reference).
 * All of them describe the trip, not Kakao's health, and arrive inside an HTTP 200.
 */
const RESULT_CODES: Record<number, CallOutcome> = {
  1: 'no_route', // 길찾기 결과를 찾을 수 없음
  101: 'not_near_road', // 경유지 지점 주변의 도로를 탐색할 수 없음
  102: 'not_near_road', // 시작 지점 주변의 도로를 탐색할 수 없음
  103: 'not_near_road', // 도착 지점 주변의 도로를 탐색할 수 없음
  104: 'too_close', // 출발지와 도착지가 5 m 이내로 설정된 경우 경로를 탐색할 수 없음
  105: 'no_route', // 시작 지점 주변의 도로에 유고 정보(교통 장애)가 있음
  106: 'no_route', // 도착 지점 주변의 도로에 유고 정보(교통 장애)가 있음
  107: 'no_route', // 경유지 주변의 도로에 유고 정보(교통 장애)가 있음
};

/**
 * Kakao's gateway errors, `{ code, msg }`, by code. Quota (-10) arrives as HTTP 400, so the body decides
 * before the status does.
 */
const GATEWAY_CODES: Record<number, CallOutcome> = {
  [-1]: 'unavailable',
  [-2]: 'bad_request',
  [-3]: 'bad_credentials',
  [-4]: 'bad_credentials',
  [-5]: 'bad_credentials',
  [-7]: 'unavailable',
  [-8]: 'bad_request',
  [-10]: 'rate_limited',
  [-401]: 'bad_credentials',
};

/** Classifies a non-2xx answer from a Kakao API (Mobility `{code,msg}` or Local `{errorType,message}`). */
export function kakaoGatewayError(answer: HttpAnswer): ProviderError {
  const body = isRecord(answer.json) ? answer.json : {};
  const code = toNumber(body.code);
  const message = String(body.msg ?? body.message ?? (excerpt(answer.text) || 'no body'));
  const errorType = typeof body.errorType === 'string' ? body.errorType : undefined;
  let outcome: CallOutcome | undefined = code === undefined ? undefined : GATEWAY_CODES[code];
  if (!outcome && errorType && /throttl|limit|quota/i.test(errorType)) outcome = 'rate_limited';
  if (!outcome) outcome = outcomeForStatus(answer.status);
  const retryAfterMs = outcome === 'rate_limited' ? parseRetryAfter(answer.headers.get('retry-after')) : undefined;
  const label = [code ?? errorType, message].filter((part) => part !== undefined).join(' ');
  return new ProviderError(PROVIDER, outcome, `HTTP ${answer.status}: ${label}`, answer.status, retryAfterMs);
}

/** The gateway statuses every provider shares. */
export function outcomeForStatus(status: number): CallOutcome {
  if (status === 401 || status === 403) return 'bad_credentials';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  if (status === 404) return 'unavailable';
  return 'bad_request';
}

/** Kakao Mobility car directions: `GET /v1/directions`, lng,lat order, distance in metres, duration in seconds. */
export class KakaoDirections implements RoutingProvider {
  readonly name = PROVIDER;

  constructor(
    private readonly baseUrl: string,
    private readonly restApiKey: string,
  ) {}

  async route(from: LngLat, to: LngLat, options: CallOptions): Promise<Route> {
    const url = new URL('/v1/directions', this.baseUrl);
    url.searchParams.set('origin', `${from.lng},${from.lat}`);
    url.searchParams.set('destination', `${to.lng},${to.lat}`);
    // Only the summary is needed; asking for it keeps the body small.
    url.searchParams.set('summary', 'true');
    const answer = await getJson(PROVIDER, url, { authorization: `KakaoAK ${this.restApiKey}` }, options);
    if (answer.status !== 200) throw kakaoGatewayError(answer);
    return parseKakaoDirections(answer.json, answer.text);
  }
}

/** Reads a Kakao directions 200 body: a route, or the route failure it reports. */
export function parseKakaoDirections(json: unknown, text = ''): Route {
  const route = isRecord(json) && Array.isArray(json.routes) ? json.routes[0] : undefined;
  if (!isRecord(route)) throw new ProviderError(PROVIDER, 'malformed', `no routes[0] in ${excerpt(text) || 'an empty body'}`, 200);
  const code = toNumber(route.result_code);
  if (code === undefined) throw new ProviderError(PROVIDER, 'malformed', 'routes[0].result_code missing', 200);
  if (code !== 0) {
    const outcome = RESULT_CODES[code] ?? 'no_route';
    throw new ProviderError(PROVIDER, outcome, `result_code ${code}: ${String(route.result_msg ?? '')}`.trim(), 200);
  }
  const summary = isRecord(route.summary) ? route.summary : undefined;
  const distance = toNumber(summary?.distance);
  const duration = toNumber(summary?.duration);
  if (distance === undefined || duration === undefined || distance < 0 || duration < 0) {
    throw new ProviderError(PROVIDER, 'malformed', 'routes[0].summary.distance/duration missing', 200);
  }
  return { distanceMeters: Math.round(distance), durationSeconds: Math.round(duration), provider: PROVIDER, estimated: false };
}
