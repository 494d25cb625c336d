export * from './config.js';
export * from './http-limits.js';
