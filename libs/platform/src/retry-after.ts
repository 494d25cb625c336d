/**
 * An HTTP `Retry-After` value (delay-seconds or an HTTP date) as milliseconds from `nowMs`; a date in the past is 0.
 * Undefined when absent or unreadable, so the caller falls back to its own backoff. A value with no letter that
 * is not delay-seconds (`-5`, `1.5`) is unreadable, though `Date.parse` would take it for some date.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (value == null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at) || !/[a-z]/i.test(trimmed)) return undefined;
  return Math.max(0, at - nowMs);
}
