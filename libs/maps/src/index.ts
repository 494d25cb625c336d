export * from './routing.js';
export * from './turf-estimate.js';
