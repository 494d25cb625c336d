import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '#config';
import { DomainError } from './domain-error.js';
import { clientAddress, FailureLimiter, limiterKey, trustProxy, type TrustProxy } from './failure-limiter.js';
import { bearerToken } from './secrets.js';

/** A key a rotation replaced (see replacedKeyRefusal) was real: sending it is not guessing. */
const isReplacedKey = (error: DomainError) => typeof (error.details as { replacedUntil?: unknown } | undefined)?.replacedUntil === 'string';

/**
 * Guessing API keys, whatever kind (agency, restaurant) and whatever route: a client address that sent
 * AUTH_FAILURES_PER_ADDRESS unknown keys within the window is answered 429 TOO_MANY_ATTEMPTS with Retry-After to
 * every request carrying a key, before the key is looked at, until the oldest of them is out of the window.
 *
 * A guess is an answer UNAUTHENTICATED to a request that sent a key (the error filter reports each one here), so
 * every check of a key is counted, whether a guard or a handler made it; no key at all, or another tenant's valid
 * key (NOT_FOUND), is not a guess. Registered as a global guard: it runs before any route's own guard.
 */
@Injectable()
export class KeyGuesses implements CanActivate {
  private readonly failures: FailureLimiter;
  private readonly trust: TrustProxy;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.failures = new FailureLimiter({ limit: config.auth.failuresPerAddress, windowMs: config.auth.failureWindowMs });
    this.trust = trustProxy(config.auth.trustProxy);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    if (!bearerToken(request.headers.authorization)) return true;
    const waitSeconds = Math.ceil(this.failures.retryAfterMs(this.client(request)) / 1000);
    if (waitSeconds > 0) {
      http.getResponse<Response>().setHeader('Retry-After', String(waitSeconds));
      throw new DomainError('TOO_MANY_ATTEMPTS', `too many unknown API keys from your address: try again in ${waitSeconds} s`, { retryAfterSeconds: waitSeconds });
    }
    return true;
  }

  /** Told of every error answered over HTTP; counts the unknown keys. */
  answered(request: Request, error: unknown): void {
    if (error instanceof DomainError && error.code === 'UNAUTHENTICATED' && !isReplacedKey(error) && bearerToken(request.headers.authorization)) this.failures.fail(this.client(request));
  }

  private client(request: Request): string {
    return limiterKey(clientAddress(request, this.trust));
  }
}
