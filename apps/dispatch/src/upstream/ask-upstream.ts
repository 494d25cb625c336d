import type { Messaging } from '#messaging';
import { DomainError, HTTP_STATUS_BY_CODE, type ErrorCode } from '#platform';

/**
 * Asks another service over the message transport: its own refusal comes back as the same domain error here;
 * anything else (down, silent, failing) as UPSTREAM_UNAVAILABLE, which the caller may simply send again.
 */
export async function askUpstream<T>(messaging: Messaging, pattern: Parameters<Messaging['request']>[0], payload: unknown, options: { timeoutMs: number; service: string }): Promise<T> {
  try {
    return await messaging.request<T>(pattern, payload, options.timeoutMs);
  } catch (error) {
    throw upstreamError(error, options.service);
  }
}

function upstreamError(error: unknown, service: string): DomainError {
  const remote = (error ?? {}) as { code?: unknown; message?: unknown; details?: unknown };
  if (typeof remote.code === 'string' && Object.hasOwn(HTTP_STATUS_BY_CODE, remote.code)) {
    return new DomainError(remote.code as ErrorCode, String(remote.message ?? remote.code), remote.details as Record<string, unknown> | undefined);
  }
  const why = error instanceof Error ? error.message : typeof remote.message === 'string' ? remote.message : String(error);
  return new DomainError('UPSTREAM_UNAVAILABLE', `${service} did not answer (${why}); nothing is lost: send the same request again`, { service });
}
