export * from './data-source.js';
export * from './embedded-postgres.js';
export * from './outbox.js';
export * from './database-url.js';
export * from './database.module.js';
export * from './group-commit.js';
export * from './pipeline.js';
export * from './database-unavailable.js';
