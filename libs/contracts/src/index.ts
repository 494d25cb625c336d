import { AGENCY_KEY_ROTATED, AGENCY_KEY_ROTATED_FOR_INTAKE } from './agency-key-rotated/agency-key-rotated.event.js';
import { AGENCY_REGISTERED, AGENCY_REGISTERED_FOR_INTAKE } from './agency-registered/agency-registered.event.js';
import { DELIVERY_CHARGE } from './delivery-charge/delivery-charge.event.js';
import { DELIVERY_STATUS_CHANGED } from './delivery-status-changed/delivery-status-changed.event.js';
import { FEE_GEOCODE } from './fee-geocode/fee-geocode.request.js';
import { FEE_QUOTE } from './fee-quote/fee-quote.request.js';
import { FEE_TARIFF } from './fee-tariff/fee-tariff.request.js';
import { FEE_QUOTE_BATCH } from './fee-quote-batch/fee-quote-batch.request.js';
import { AGENCY_RESTAURANTS } from './agency-restaurants/agency-restaurants.request.js';
import { ORDER_ENTER } from './order-enter/order-enter.request.js';
import { ORDER_CREATED } from './order-created/order-created.event.js';
import { ORDER_TIMING_CHANGED } from './order-timing-changed/order-timing-changed.event.js';
import { RESTAURANT_ADMIN } from './restaurant-admin/restaurant-admin.request.js';
import { RESTAURANT_CHANGED } from './restaurant-changed/restaurant-changed.event.js';
import { RESTAURANT_CREDENTIAL_ROTATE } from './restaurant-credential-rotate/restaurant-credential-rotate.request.js';

export * from './agency-key-rotated/agency-key-rotated.event.js';
export * from './agency-registered/agency-registered.event.js';
export * from './agency-restaurants/agency-restaurants.request.js';
export * from './common/event.js';
export * from './common/geo-point.js';
export * from './common/json-input.js';
export * from './common/json-output.js';
export * from './common/money.js';
export { Nested } from './common/nested.js';
export * from './common/validation.js';
export * from './delivery-charge/delivery-charge.event.js';
export * from './delivery-status-changed/delivery-status-changed.event.js';
export * from './fee-geocode/fee-geocode.request.js';
export * from './fee-quote/fee-quote.reader.js';
export * from './fee-quote/fee-quote.request.js';
export * from './fee-quote-batch/fee-quote-batch.reader.js';
export * from './fee-quote-batch/fee-quote-batch.request.js';
export * from './fee-tariff/fee-tariff.request.js';
export * from './fee-tariff/fee-tariff.schemas.js';
export * from './order-created/order-created.event.js';
export * from './order-enter/order-enter.request.js';
export * from './order-timing-changed/order-timing-changed.event.js';
export * from './rider-protocol/location-stream.js';
export * from './restaurant-admin/restaurant-admin.request.js';
export * from './restaurant-changed/restaurant-changed.event.js';
export * from './restaurant-credential-rotate/restaurant-credential-rotate.request.js';

/** Every message pattern; consumers name these, never an inline string. */
export const PATTERNS = { ORDER_CREATED, ORDER_TIMING_CHANGED, FEE_QUOTE, FEE_QUOTE_BATCH, FEE_GEOCODE, FEE_TARIFF, DELIVERY_STATUS_CHANGED, AGENCY_REGISTERED, AGENCY_REGISTERED_FOR_INTAKE, AGENCY_KEY_ROTATED, AGENCY_KEY_ROTATED_FOR_INTAKE, RESTAURANT_CREDENTIAL_ROTATE, DELIVERY_CHARGE, RESTAURANT_ADMIN, RESTAURANT_CHANGED, ORDER_ENTER, AGENCY_RESTAURANTS } as const;

/** Which service consumes each pattern: the RabbitMQ queue it is sent to, the TCP server it is dialled on. */
export const CONSUMER_OF = {
  [ORDER_CREATED]: 'dispatch',
  [ORDER_TIMING_CHANGED]: 'dispatch',
  [FEE_QUOTE]: 'fee',
  [FEE_QUOTE_BATCH]: 'fee',
  [FEE_GEOCODE]: 'fee',
  [FEE_TARIFF]: 'fee',
  [DELIVERY_STATUS_CHANGED]: 'intake',
  [AGENCY_REGISTERED]: 'fee',
  [AGENCY_REGISTERED_FOR_INTAKE]: 'intake',
  [AGENCY_KEY_ROTATED]: 'fee',
  [AGENCY_KEY_ROTATED_FOR_INTAKE]: 'intake',
  [RESTAURANT_CREDENTIAL_ROTATE]: 'intake',
  [DELIVERY_CHARGE]: 'fee',
  [RESTAURANT_ADMIN]: 'intake',
  [RESTAURANT_CHANGED]: 'dispatch',
  [ORDER_ENTER]: 'intake',
  [AGENCY_RESTAURANTS]: 'intake',
} as const;
