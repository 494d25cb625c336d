export * from './config.js';
export * from './http-limits.js';
export * from './dispatch-cluster.js';
