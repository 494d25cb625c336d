import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import type { Response } from 'express';
import { throwError, type Observable } from 'rxjs';
import { DomainError, HTTP_STATUS_BY_CODE } from './domain-error.js';
import { bodyParserError } from './json-bodies.js';

const logger = new Logger('errors');

/** HTTP: a domain error becomes its mapped status with `{ error: { code, message, details } }`. */
function toHttp(exception: unknown, response: Response): void {
  if (exception instanceof DomainError) {
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
 * callbacks (see the dispatch gateway), so here they are only logged.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): unknown {
    switch (host.getType<'http' | 'rpc' | 'ws'>()) {
      case 'http':
        return toHttp(exception, host.switchToHttp().getResponse<Response>());
      case 'rpc':
        return toRpc(exception);
      case 'ws':
        logger.warn(`socket handler failed: ${exception instanceof Error ? exception.message : String(exception)}`);
        return undefined;
    }
  }
}
