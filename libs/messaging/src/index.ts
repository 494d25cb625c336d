export * from './ack.interceptor.js';
export * from './consume-event.decorator.js';
export * from './messaging.js';
export * from './transport.js';
export * from './event-outbox.js';
