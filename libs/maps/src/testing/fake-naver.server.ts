import type http from 'node:http';
import { FakeMapServer, parseLngLat, type FakeReply } from './fake-map-server.js';

/** `message` for each documented Directions 5 route failure `code`. */
export const NAVER_ROUTE_MESSAGES: Record<number, string> = {
  1: '출발지와 도착지가 동일합니다. 확인 후 다시 지정해주세요.',
  2: '출발지 또는 도착지가 도로 주변이 아닌 경우입니다. 확인 후 다시 지정해주세요.',
  3: '자동차 길찾기 결과 제공이 불가합니다.',
  4: '경유지가 도로 주변이 아닌 경우입니다. 확인 후 다시 지정해주세요.',
  5: '요청 경로가 매우 긴 경우(경유지를 포함한 직선거리의 합이 1500km이상인 경우)입니다.',
};

/**
 * NCP Maps Directions 5 (`/map-direction/v1/driving`) and Geocoding (`/map-geocode/v2/geocode`) as documented:
 * `X-NCP-APIGW-API-KEY-ID` / `X-NCP-APIGW-API-KEY`, gateway errors `{ error: { errorCode, message, details } }`,
 * durations in milliseconds. `routeFailureStyle` picks the old host (failures inside a 200 as `code`) or the new
 * one (HTTP 400 with an `error` object).
 */
export class FakeNaver extends FakeMapServer {
  routeFailureStyle: 'old_host' | 'new_host' = 'old_host';

  constructor(
    readonly clientId = 'test-naver-id',
    readonly clientSecret = 'test-naver-secret',
  ) {
    super();
  }

  protected reply(path: string, query: URLSearchParams, headers: http.IncomingHttpHeaders): FakeReply {
    const authorised = headers['x-ncp-apigw-api-key-id'] === this.clientId && headers['x-ncp-apigw-api-key'] === this.clientSecret;
    if (!authorised || this.fault.kind === 'unauthorized') {
      return { status: 401, body: { error: { errorCode: '200', message: 'Authentication Failed', details: 'Invalid authentication information.' } } };
    }
    switch (this.fault.kind) {
      case 'server_error':
        return { status: this.fault.status ?? 503, body: { error: { errorCode: '500', message: 'Endpoint Error', details: 'Endpoint connection error' } } };
      case 'rate_limit':
        return {
          status: 429,
          headers: this.fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(this.fault.retryAfterSeconds) },
          body: { error: { errorCode: '420', message: 'Rate Limited', details: 'Rate limit exceeded.' } },
        };
      default:
        break;
    }
    if (path === '/map-direction/v1/driving') return this.driving(query);
    if (path === '/map-geocode/v2/geocode') return this.geocode(query);
    return { status: 404, body: { error: { errorCode: '300', message: 'Not Found Exception', details: 'Not Found Exception' } } };
  }

  private driving(query: URLSearchParams): FakeReply {
    const start = parseLngLat(query.get('start'));
    const goal = parseLngLat(query.get('goal'));
    if (!start || !goal) return { status: 400, body: { error: { errorCode: '100', message: 'Bad Request Exception', details: 'start and goal required' } } };
    const road = this.roadRoute(start, goal);
    const failure = this.fault.kind === 'route_failure' ? this.fault.code : start.lng === goal.lng && start.lat === goal.lat ? 1 : 0;
    const currentDateTime = new Date().toISOString().slice(0, 19);
    if (failure !== 0) {
      const message = NAVER_ROUTE_MESSAGES[failure] ?? '길찾기 실패';
      return this.routeFailureStyle === 'old_host'
        ? { status: 200, body: { code: failure, message, currentDateTime } }
        : { status: 400, body: { error: { errorCode: String(failure), message, details: message } } };
    }
    const option = query.get('option') ?? 'traoptimal';
    return {
      status: 200,
      body: {
        code: 0,
        message: '길찾기를 성공하였습니다.',
        currentDateTime,
        route: {
          [option]: [
            {
              summary: {
                start: { location: [start.lng, start.lat] },
                goal: { location: [goal.lng, goal.lat], dir: 0 },
                distance: road.meters,
                duration: road.seconds * 1000,
                departureTime: currentDateTime,
                bbox: [
                  [Math.min(start.lng, goal.lng), Math.min(start.lat, goal.lat)],
                  [Math.max(start.lng, goal.lng), Math.max(start.lat, goal.lat)],
                ],
                tollFare: 0,
                taxiFare: 4800 + road.meters,
                fuelPrice: Math.round(road.meters / 10),
              },
              path: [
                [start.lng, start.lat],
                [goal.lng, goal.lat],
              ],
              section: [],
              guide: [],
            },
          ],
        },
      },
    };
  }

  private geocode(query: URLSearchParams): FakeReply {
    const address = query.get('query') ?? '';
    if (address === '') return { status: 400, body: { status: 'INVALID_REQUEST', errorMessage: 'query is INVALID', addresses: [] } };
    const place = this.fault.kind === 'geocode_empty' ? undefined : this.places.get(address);
    const addresses = place
      ? [{ roadAddress: address, jibunAddress: '', englishAddress: '', addressElements: [], x: String(place.lng), y: String(place.lat), distance: 0.0 }]
      : [];
    return {
      status: 200,
      body: { status: 'OK', meta: { totalCount: addresses.length, page: 1, count: addresses.length }, addresses, errorMessage: '' },
    };
  }
}
