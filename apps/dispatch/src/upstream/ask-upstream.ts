import type { Messaging } from '#messaging';
import { DomainError, HTTP_STATUS_BY_CODE, type ErrorCode } from '#platform';

export interface UpstreamOptions {
  timeoutMs: number;
  /** The service asked, as the error names it (`details.service`). */
  service: string;
  /** What to tell the caller when there was no answer; by default that sending the same request again is safe. */
  unanswered?: string;
}

/**
 * Asks another service over the message transport: its own refusal comes back as the same domain error here;
 * anything else (down, silent, failing, or its own internal error, never passed on as a 500) as
 * UPSTREAM_UNAVAILABLE.
 */
export async function askUpstream<T>(messaging: Messaging, pattern: Parameters<Messaging['request']>[0], payload: unknown, options: UpstreamOptions): Promise<T> {
  try {
    return await messaging.request<T>(pattern, payload, options.timeoutMs);
  } catch (error) {
    throw upstreamError(error, options);
  }
}

function upstreamError(error: unknown, { service, unanswered }: UpstreamOptions): DomainError {
  const remote = (error ?? {}) as { code?: unknown; message?: unknown; details?: unknown };
  if (typeof remote.code === 'string' && remote.code !== 'INTERNAL' && Object.hasOwn(HTTP_STATUS_BY_CODE, remote.code)) {
    return new DomainError(remote.code as ErrorCode, String(remote.message ?? remote.code), remote.details as Record<string, unknown> | undefined);
  }
  const why = error instanceof Error ? error.message : typeof remote.message === 'string' ? remote.message : String(error);
  return new DomainError('UPSTREAM_UNAVAILABLE', `${service} did not answer (${why}); ${unanswered ?? 'nothing is lost: send the same request again'}`, { service });
}
