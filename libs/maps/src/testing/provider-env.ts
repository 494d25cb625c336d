import type { FakeKakao } from './fake-kakao.server.js';
import type { FakeNaver } from './fake-naver.server.js';

/** The environment that points a service's map chain at running fakes, with their keys. */
export function fakeProvidersEnv(providers: { kakao?: FakeKakao; naver?: FakeNaver }): Record<string, string> {
  const { kakao, naver } = providers;
  return {
    ...(kakao ? { KAKAO_REST_API_KEY: kakao.restApiKey, KAKAO_MOBILITY_BASE_URL: kakao.url, KAKAO_LOCAL_BASE_URL: kakao.url } : {}),
    ...(naver ? { NAVER_MAPS_CLIENT_ID: naver.clientId, NAVER_MAPS_CLIENT_SECRET: naver.clientSecret, NAVER_MAPS_BASE_URL: naver.url } : {}),
  };
}
