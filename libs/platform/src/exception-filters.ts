import { ArgumentsHost, Catch, HttpException, Inject, Logger, Optional, type ExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import type { Request, Response } from 'express';
import { throwError, type Observable } from 'rxjs';
import type { HttpLimits } from '#config';
import { isDatabaseUnavailable } from '#database';
import { DomainError, HTTP_STATUS_BY_CODE } from './domain-error.js';
import { HTTP_LIMITS } from './http-protection.js';
import { KeyGuesses } from './key-guesses.js';
import { bodyParserError } from './json-bodies.js';

const logger = new Logger('errors');

/** HTTP: a domain error becomes its mapped status with `{ error: { code, message, details } }`. */
function toHttp(exception: unknown, response: Response): void {
  // Already answered (a slow request dropped to make room) or the client is gone: there is no one to tell.
  if (response.headersSent || response.writableEnded || response.socket?.destroyed) {
    logger.debug?.(`no answer sent for ${exception instanceof Error ? exception.message : String(exception)}: the response was over`);
    return;
  }
  if (exception instanceof DomainError) {
    const retryAfter = (exception.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    if (typeof retryAfter === 'number') response.setHeader('Retry-After', String(retryAfter));
    response.status(HTTP_STATUS_BY_CODE[exception.code]).json({ error: exception.toJSON() });
    return;
  }
  if (exception instanceof HttpException) {
    const refused = bodyParserError(exception);
    if (refused) return toHttp(refused, response);
    const status = exception.getStatus();
    response.status(status).json({ error: { code: status === 404 ? 'NOT_FOUND' : 'HTTP_ERROR', message: exception.message } });
    return;
  }
  logger.error(exception instanceof Error ? exception.stack : String(exception));
  response.status(500).json({ error: { code: 'INTERNAL', message: 'internal error' } });
}

/** Messages: a domain error travels to the caller as `{ code, message, details }`. */
function toRpc(exception: unknown): Observable<never> {
  if (exception instanceof DomainError) return throwError(() => exception.toJSON());
  if (exception instanceof RpcException) return throwError(() => exception.getError());
  logger.error(exception instanceof Error ? exception.stack : String(exception));
  return throwError(() => ({ code: 'INTERNAL', message: exception instanceof Error ? exception.message : 'internal error' }));
}

/**
 * The one place errors leave a service, mapped per transport. Rider sockets answer through their ack
 * callbacks (see the dispatch gateway), so here they are only logged. An unreachable database is
 * `DATABASE_UNAVAILABLE` (503 with `Retry-After` over HTTP), never 500: the request may simply be sent again.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(
    @Optional() @Inject(HTTP_LIMITS) private readonly limits?: HttpLimits,
    @Optional() private readonly keyGuesses?: KeyGuesses,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): unknown {
    const error = isDatabaseUnavailable(exception) ? this.databaseUnavailable(exception) : exception;
    switch (host.getType<'http' | 'rpc' | 'ws'>()) {
      case 'http':
        this.keyGuesses?.answered(host.switchToHttp().getRequest<Request>(), error);
        return toHttp(error, host.switchToHttp().getResponse<Response>());
      case 'rpc':
        return toRpc(error);
      case 'ws':
        logger.warn(`socket handler failed: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
    }
  }

  private databaseUnavailable(cause: unknown): DomainError {
    logger.warn(`database unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
    const retryAfterSeconds = this.limits?.databaseRetryAfterSeconds ?? 5;
    return new DomainError('DATABASE_UNAVAILABLE', `the database is unavailable; retry after ${retryAfterSeconds} s`, { retryAfterSeconds });
  }
}
