import { isUtf8 } from 'node:buffer';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication, NestExpressBodyParserOptions } from '@nestjs/platform-express';
import type { Express, Response } from 'express';
import { jsonUtf8 } from '#contracts';
import { DomainError, type ErrorCode } from './domain-error.js';

/** Refuses bytes that are not UTF-8, which body-parser would read as U+FFFD and the service store as if sent. */
function refuseInvalidUtf8(_request: unknown, _response: unknown, body: Buffer): void {
  if (!isUtf8(body)) throw Object.assign(new Error('the body is not valid UTF-8, which JSON must be'), { status: 400, type: 'entity.encoding.invalid' });
}

/**
 * JSON bodies parsed as Nest would (body-parser, 100 kB), but only from UTF-8. Call before the app initialises.
 * Nest's types leave `verify` out because its `rawBody` option uses it; no service sets `rawBody`, so it is ours.
 */
export function useUtf8JsonBodies(app: INestApplication): void {
  const options: NestExpressBodyParserOptions = { verify: refuseInvalidUtf8 };
  (app as NestExpressApplication).useBodyParser('json', options);
}

/** Express settings that change how it writes JSON; with any set, its own writer answers. */
const EXPRESS_JSON_SETTINGS = ['json replacer', 'json spaces', 'json escape'];

/**
 * JSON answers written by `jsonUtf8` (in pieces, never one long string) instead of Express's one `JSON.stringify`:
 * the same bytes and headers, at half the cost for a long list such as a batch of quotes. Express's own writer
 * stays for a response that already has a Content-Type or an app that sets its JSON options.
 */
export function answerJsonInPieces(app: INestApplication): void {
  const express = (app as NestExpressApplication).getHttpAdapter().getInstance() as Express;
  const expressJson = express.response.json;
  express.response.json = function json(this: Response, body: unknown) {
    if (this.get('Content-Type') !== undefined || EXPRESS_JSON_SETTINGS.some((setting) => express.get(setting))) return expressJson.call(this, body);
    this.set('Content-Type', 'application/json; charset=utf-8');
    return this.send(jsonUtf8(body));
  };
}

/** body-parser's refusals (of JSON and of form bodies), as the codes the APIs document. */
const CODE_BY_BODY_ERROR: Record<string, ErrorCode> = {
  'entity.parse.failed': 'INVALID_JSON',
  'entity.encoding.invalid': 'INVALID_JSON',
  'entity.too.large': 'PAYLOAD_TOO_LARGE',
  'parameters.too.many': 'PAYLOAD_TOO_LARGE',
  'querystring.parse.rangeError': 'VALIDATION_FAILED',
  'charset.unsupported': 'UNSUPPORTED_MEDIA_TYPE',
  'encoding.unsupported': 'UNSUPPORTED_MEDIA_TYPE',
};

/** The domain error for a body-parser refusal that Nest wrapped (its cause), or undefined for any other error. */
export function bodyParserError(exception: { cause?: unknown }): DomainError | undefined {
  const cause = exception.cause as { type?: unknown; message?: string; limit?: unknown } | undefined;
  const code = typeof cause?.type === 'string' ? CODE_BY_BODY_ERROR[cause.type] : undefined;
  if (!cause || !code) return undefined;
  if (cause.type === 'entity.too.large') return new DomainError(code, `request body is larger than ${cause.limit} bytes`, { limitBytes: cause.limit });
  if (cause.type === 'entity.parse.failed') return new DomainError(code, `the body is not a JSON object or list: ${cause.message}`);
  if (cause.type === 'querystring.parse.rangeError') return new DomainError(code, 'the form body nests fields deeper than 32 levels');
  return new DomainError(code, String(cause.message));
}
