import { ProviderError } from './provider-outcome.js';

/** How long one call may take, and an optional outer signal (e.g. the caller went away). */
export interface CallOptions {
  /** Budget for this call in milliseconds; the HTTP request is aborted when it runs out. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** An HTTP answer whose body has been read; `json` is undefined when the body is not JSON. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  json: unknown;
  text: string;
}

/**
 * GETs `url` with `fetch`, aborting the request itself (socket included) when `timeoutMs` passes. Network
 * failures become `unavailable`, the abort becomes `timeout`; the status and body are the adapter's to judge.
 */
export async function getJson(provider: string, url: URL, headers: Record<string, string>, options: CallOptions): Promise<HttpAnswer> {
  const timeout = AbortSignal.timeout(Math.max(1, Math.floor(options.timeoutMs)));
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  try {
    const response = await fetch(url, { headers: { accept: 'application/json', ...headers }, signal });
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, json, text };
  } catch (error) {
    if (timeout.aborted) throw new ProviderError(provider, 'timeout', `no answer within ${Math.floor(options.timeoutMs)} ms`);
    if (options.signal?.aborted) throw new ProviderError(provider, 'timeout', 'call cancelled by the caller');
    throw new ProviderError(provider, 'unavailable', describeNetworkError(error));
  }
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return `network error ${cause.code}`;
  return `network error: ${error instanceof Error ? error.message : String(error)}`;
}

/** A short, log-safe excerpt of a body for error messages (never a whole page). */
export function excerpt(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** A finite number from a number or numeric string, else undefined. */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
