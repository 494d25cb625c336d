import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiSecurity } from '@nestjs/swagger';
import { ORDER_STATUSES } from './orders/order-status.js';
import { ApiErrors, schemaRef, type ApiDocs, type ErrorCode } from '#platform';

const signatureHeaders = {
  'webhook-id': { required: true, description: 'The message id, the same on every retry of it: the idempotency key', schema: { type: 'string', maxLength: 256 } },
  'webhook-timestamp': { required: true, description: 'When it was signed, in unix seconds', schema: { type: 'string', pattern: '^\\d+$' } },
  'webhook-signature': {
    required: true,
    description: '`v1,` + base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` with the restaurant\'s webhook secret (space-separated list allowed)',
    schema: { type: 'string' },
  },
};

/** order-intake's OpenAPI document: restaurants' API, and the status callbacks it sends them as webhooks. */
export const INTAKE_API_DOCS: ApiDocs = {
  title: 'baecha order-intake',
  description:
    "Restaurants' signed order webhooks, their orders' status, and the signed status callbacks sent to them (docs/webhooks.md). " +
    'Refusals are `{ error: { code, message, details } }`.',
  configure: (builder) =>
    builder
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: "The restaurant's API key (`Authorization: Bearer <apiKey>`)" }, 'restaurantKey')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: "The agency's API key (`Authorization: Bearer ak_…`), for orders its operators enter and its restaurants' credentials it rotates" }, 'agencyKey')
      .addSecurity('standardWebhooks', {
        type: 'apiKey',
        in: 'header',
        name: 'webhook-signature',
        description: 'Standard Webhooks: `webhook-id`, `webhook-timestamp` and `webhook-signature` headers, signed with the restaurant\'s webhook secret (docs/webhooks.md)',
      }),
  schemas: {
    OrderStatusChangedCallback: {
      type: 'object',
      required: ['type', 'orderId', 'externalOrderId', 'status', 'at'],
      properties: {
        type: { const: 'order.status_changed' },
        orderId: { type: 'string', format: 'uuid' },
        externalOrderId: { type: 'string' },
        status: { type: 'string', enum: [...ORDER_STATUSES] },
        previousStatus: { type: 'string', enum: [...ORDER_STATUSES] },
        at: { type: 'string', format: 'date-time', description: 'When the order reached `status`' },
        reason: { type: 'string', description: 'Why, on `failed` and on a `cancelled` that gives one' },
        fee: {
          type: 'object',
          required: ['total', 'currency', 'distanceMeters', 'provider', 'estimated'],
          properties: {
            total: { type: 'integer' },
            currency: { const: 'KRW' },
            distanceMeters: { type: 'integer' },
            provider: { type: 'string' },
            estimated: { type: 'boolean' },
          },
        },
        rider: { type: 'object', required: ['id', 'name'], properties: { id: { type: 'string', format: 'uuid' }, name: { type: 'string' } } },
      },
    },
  },
  webhooks: {
    'order.status_changed': {
      post: {
        summary: "An order's status changed: sent to the restaurant's callback URL",
        description:
          'Signed like the order webhooks, with the restaurant\'s webhook secret; retried with backoff until a 2xx or for CALLBACK_MAX_AGE_HOURS ' +
          '(same `webhook-id` on every retry). One order\'s callbacks are sent in order. See docs/webhooks.md#status-callbacks.',
        parameters: Object.entries(signatureHeaders).map(([name, header]) => ({ name, in: 'header', ...header })),
        requestBody: { required: true, content: { 'application/json': { schema: schemaRef('OrderStatusChangedCallback') } } },
        responses: {
          '2XX': { description: 'Received: not sent again' },
          default: { description: 'Anything else (or no answer within CALLBACK_TIMEOUT_MS): tried again later' },
        },
      },
    },
  },
};

export { signatureHeaders };

/** What every signed webhook may be refused for, before what it says is looked at (docs/webhooks.md#answers). */
const SIGNED_WEBHOOK_REFUSALS: ErrorCode[] = [
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RESTAURANT_NOT_FOUND',
  'SIGNATURE_MISSING',
  'SIGNATURE_INVALID',
  'TIMESTAMP_OUT_OF_TOLERANCE',
  'RESTAURANT_DISABLED',
  'INVALID_JSON',
  'VALIDATION_FAILED',
];

/** A route taking a restaurant's signed webhook: the Standard Webhooks scheme, its three headers, and its refusals with the route's own. */
export const SignedWebhook = (refusals: ErrorCode[]) =>
  applyDecorators(
    ApiSecurity('standardWebhooks'),
    ...Object.entries(signatureHeaders).map(([name, header]) => ApiHeader({ name, ...header })),
    ApiErrors([...SIGNED_WEBHOOK_REFUSALS, ...refusals]),
  );
