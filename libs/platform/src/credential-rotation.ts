import { applyDecorators, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse } from '@nestjs/swagger';
import { IsNumber, IsOptional, Max, Min } from 'class-validator';
import { ApiErrors, schemaRef } from './api-docs.js';
import { DomainError, type ErrorCode } from './domain-error.js';

/** How long a replaced credential keeps working when the request does not say. */
export const DEFAULT_OVERLAP_HOURS = 24;
/** The longest overlap a rotation may ask for: a week covers any POS or phone rollout worth waiting for. */
export const MAX_OVERLAP_HOURS = 168;

const OVERLAP_RULE = `must be a number of hours from 0 to ${MAX_OVERLAP_HOURS}`;

/** The body of every `…/rotate` route: how long the replaced credential keeps working; 0 revokes it at once. */
export class RotateCredentialRequest {
  /** Hours the replaced credential keeps working (0: refused at once, as for a lost phone or a leaked key); 24 when left out. */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: OVERLAP_RULE })
  @Min(0, { message: OVERLAP_RULE })
  @Max(MAX_OVERLAP_HOURS, { message: OVERLAP_RULE })
  overlapHours?: number;
}

/** When a credential replaced at `now` stops working. */
export function overlapEnd(now: Date, overlapHours: number = DEFAULT_OVERLAP_HOURS): Date {
  return new Date(now.getTime() + Math.round(overlapHours * 3_600_000));
}

/** What every rotation answers: the new credential (shown this once) and until when the one it replaced works. */
export interface RotatedCredential {
  credential: 'webhook-secret' | 'restaurant-key' | 'agency-key' | 'rider-token';
  /** The id of the restaurant, agency or rider. */
  id: string;
  /** The new secret, key or token; only ever shown here. */
  secret: string;
  rotatedAt: string;
  /** When the replaced credential stops working (equal to `rotatedAt` for an immediate revoke). */
  previousValidUntil: string;
}

/** The OpenAPI schema of `RotatedCredential`. */
export const ROTATED_CREDENTIAL_SCHEMA = {
  type: 'object',
  required: ['credential', 'id', 'secret', 'rotatedAt', 'previousValidUntil'],
  properties: {
    credential: { type: 'string', enum: ['webhook-secret', 'restaurant-key', 'agency-key', 'rider-token'] },
    id: { type: 'string', format: 'uuid' },
    secret: { type: 'string', description: 'The new secret, key or token: shown only in this answer' },
    rotatedAt: { type: 'string', format: 'date-time' },
    previousValidUntil: { type: 'string', format: 'date-time', description: 'When the replaced one stops working' },
  },
};

/** A `POST …/rotate` route: 200 with a `RotatedCredential`, an optional `RotateCredentialRequest` body, documented alike everywhere. */
export const RotateRoute = (path: string, summary: string, errors: ErrorCode[]) =>
  applyDecorators(
    Post(path),
    HttpCode(200),
    ApiOperation({ summary }),
    ApiBody({ required: false, schema: schemaRef(RotateCredentialRequest) }),
    ApiResponse({ status: 200, description: 'The new credential, shown only now, and when the replaced one stops working', schema: ROTATED_CREDENTIAL_SCHEMA }),
    ApiErrors(errors),
  );

/** Why a replaced credential is refused, for the one who still sends it. */
export function replacedCredentialMessage(what: string, until: Date): string {
  return `this ${what} was replaced and stopped working at ${until.toISOString()}: use the new one`;
}

/**
 * The refusal of an API key a rotation replaced, once its window has ended. Not a guess (the key was real), so it
 * does not count against the sender's address: a till left on the old key must not lock out its neighbours on the new one.
 */
export function replacedKeyRefusal(what: string, until: Date): DomainError {
  return new DomainError('UNAUTHENTICATED', replacedCredentialMessage(what, until), { replacedUntil: until.toISOString() });
}
