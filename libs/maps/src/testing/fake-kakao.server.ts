import type http from 'node:http';
import { FakeMapServer, parseLngLat, type FakeReply } from './fake-map-server.js';

/** `result_msg` for each documented Kakao Mobility `result_code`. */
export const KAKAO_RESULT_MESSAGES: Record<number, string> = {
  1: '길찾기 결과를 찾을 수 없음',
  101: '경유지 지점 주변의 도로를 탐색할 수 없음',
  102: '시작 지점 주변의 도로를 탐색할 수 없음',
  103: '도착 지점 주변의 도로를 탐색할 수 없음',
  104: '출발지와 도착지가 5 m 이내로 설정된 경우 경로를 탐색할 수 없음',
  105: '시작 지점 주변의 도로에 유고 정보(교통 장애)가 있음',
  106: '도착 지점 주변의 도로에 유고 정보(교통 장애)가 있음',
  107: '경유지 주변의 도로에 유고 정보(교통 장애)가 있음',
};

/**
 * Kakao Mobility directions (`/v1/directions`) and Kakao Local address search (`/v2/local/search/address.json`)
 * as documented: `Authorization: KakaoAK <key>`, gateway errors `{ code, msg }` (Mobility) or
 * `{ errorType, message }` (Local), route failures inside a 200 as `routes[0].result_code`.
 */
export class FakeKakao extends FakeMapServer {
  constructor(readonly restApiKey = 'test-kakao-key') {
    super();
  }

  protected reply(path: string, query: URLSearchParams, headers: http.IncomingHttpHeaders): FakeReply {
    const local = path === '/v2/local/search/address.json';
    const authorised = headers.authorization === `KakaoAK ${this.restApiKey}`;
    if (!authorised || this.fault.kind === 'unauthorized') {
      return local
        ? { status: 401, body: { errorType: 'AccessDeniedError', message: 'wrong appKey format' } }
        : { status: 401, body: { code: -401, msg: 'wrong appKey format' } };
    }
    switch (this.fault.kind) {
      case 'server_error':
        return local
          ? { status: this.fault.status ?? 500, body: { errorType: 'InternalServerError', message: 'internal server error' } }
          : { status: this.fault.status ?? 500, body: { code: -1, msg: 'internal server error' } };
      case 'rate_limit': {
        const headersOut: Record<string, string> =
          this.fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(this.fault.retryAfterSeconds) };
        return local
          ? { status: 429, headers: headersOut, body: { errorType: 'RequestThrottled', message: 'API limit has been exceeded.' } }
          : { status: 429, headers: headersOut, body: { code: -10, msg: 'API limit has been exceeded.' } };
      }
      default:
        break;
    }
    if (path === '/v1/directions') return this.directions(query);
    if (local) return this.address(query);
    return { status: 404, body: { code: -2, msg: 'unknown path' } };
  }

  private directions(query: URLSearchParams): FakeReply {
    const origin = parseLngLat(query.get('origin'));
    const destination = parseLngLat(query.get('destination'));
    if (!origin || !destination) return { status: 400, body: { code: -2, msg: 'origin and destination are required' } };
    const failure = this.fault.kind === 'route_failure' ? this.fault.code : undefined;
    const road = this.roadRoute(origin, destination);
    const code = failure ?? (road.meters < 5 ? 104 : 0);
    const transId = `fake-${Date.now().toString(16)}`;
    if (code !== 0) {
      return { status: 200, body: { trans_id: transId, routes: [{ result_code: code, result_msg: KAKAO_RESULT_MESSAGES[code] ?? '길찾기 실패' }] } };
    }
    return {
      status: 200,
      body: {
        trans_id: transId,
        routes: [
          {
            result_code: 0,
            result_msg: '길찾기 성공',
            summary: {
              origin: { name: '', x: origin.lng, y: origin.lat },
              destination: { name: '', x: destination.lng, y: destination.lat },
              waypoints: [],
              priority: 'RECOMMEND',
              bound: {
                min_x: Math.min(origin.lng, destination.lng),
                min_y: Math.min(origin.lat, destination.lat),
                max_x: Math.max(origin.lng, destination.lng),
                max_y: Math.max(origin.lat, destination.lat),
              },
              fare: { taxi: 4800 + Math.round(road.meters), toll: 0 },
              distance: road.meters,
              duration: road.seconds,
            },
          },
        ],
      },
    };
  }

  private address(query: URLSearchParams): FakeReply {
    const address = query.get('query') ?? '';
    if (address === '') return { status: 400, body: { errorType: 'MissingParameter', message: 'query parameter required' } };
    const place = this.fault.kind === 'geocode_empty' ? undefined : this.places.get(address);
    const documents = place
      ? [
          {
            address_name: address,
            address_type: 'ROAD_ADDR',
            x: String(place.lng),
            y: String(place.lat),
            address: null,
            road_address: { address_name: address, x: String(place.lng), y: String(place.lat) },
          },
        ]
      : [];
    return { status: 200, body: { meta: { total_count: documents.length, pageable_count: documents.length, is_end: true }, documents } };
  }
}
