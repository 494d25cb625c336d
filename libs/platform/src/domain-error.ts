import type { FieldError } from '#contracts';

/**
 * Every error a service may raise on purpose, with the HTTP status it maps to. The map is exhaustive by type,
 * so a new code cannot ship without a status; message transports carry the code itself.
 */
export const HTTP_STATUS_BY_CODE = {
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  UNAUTHENTICATED: 401,
  SIGNATURE_MISSING: 401,
  SIGNATURE_INVALID: 401,
  TIMESTAMP_OUT_OF_TOLERANCE: 401,
  FORBIDDEN: 403,
  RESTAURANT_DISABLED: 403,
  NOT_FOUND: 404,
  RESTAURANT_NOT_FOUND: 404,
  ORDER_NOT_FOUND: 404,
  AGENCY_NOT_FOUND: 404,
  RIDER_NOT_FOUND: 404,
  DELIVERY_NOT_FOUND: 404,
  OFFER_NOT_FOUND: 404,
  OPERATOR_NOT_FOUND: 404,
  INVITE_NOT_FOUND: 404,
  OPERATOR_EXISTS: 409,
  ORDER_CONFLICT: 409,
  ORDER_TIMING_CLOSED: 409,
  OFFER_TAKEN: 409,
  OFFER_EXPIRED: 409,
  OFFER_CLOSED: 409,
  RIDER_AT_CAPACITY: 409,
  INVALID_TRANSITION: 409,
  DELIVERY_NOT_PRICED: 409,
  REQUEST_TIMEOUT: 408,
  PAYLOAD_TOO_LARGE: 413,
  TOO_MANY_ATTEMPTS: 429,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NO_ROUTE: 422,
  NO_LOCATION: 422,
  NO_TARIFF: 422,
  OUTSIDE_SERVICE_AREA: 422,
  BEYOND_MAX_DISTANCE: 422,
  TARIFF_INVALID: 422,
  ADDRESS_NOT_FOUND: 422,
  IMPLAUSIBLE_LOCATION: 422,
  STALE_LOCATION: 422,
  REPORTED_AT_REFUSED: 422,
  UPSTREAM_UNAVAILABLE: 503,
  OVERLOADED: 503,
  DATABASE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof HTTP_STATUS_BY_CODE;

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: FieldError[] | Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  static validation(errors: FieldError[]): DomainError {
    const fields = errors.map((e) => e.field).join(', ');
    return new DomainError('VALIDATION_FAILED', `invalid fields: ${fields}`, errors);
  }

  toJSON(): { code: ErrorCode; message: string; details?: unknown } {
    return { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}
