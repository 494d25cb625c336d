export * from './kakao-directions.adapter.js';
export * from './kakao-local.adapter.js';
export * from './naver-directions.adapter.js';
export * from './naver-geocoding.adapter.js';
export * from './provider-http.js';
export * from './provider-outcome.js';
export * from './routing.js';
export * from './turf-estimate.js';
