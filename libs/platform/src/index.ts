export * from './contract.pipe.js';
export * from './domain-error.js';
export * from './exception-filters.js';
export * from './health.js';
export * from './logger.js';
export * from './bootstrap.js';
export * from './platform.module.js';
export * from './metrics.js';
