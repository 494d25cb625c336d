export * from './fake-kakao.server.js';
export * from './fake-map-server.js';
export * from './fake-naver.server.js';
export * from './provider-env.js';
export * from './provider-failure.js';
