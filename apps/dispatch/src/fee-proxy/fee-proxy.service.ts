import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';

/** What the browser sent, as far as fee needs it. */
export interface ProxiedRequest {
  method: 'GET' | 'PUT' | 'DELETE';
  /** The path and query after `/fee`, e.g. `/v1/agencies/…/tariff?x=1`. */
  pathAndQuery: string;
  authorization?: string;
  accept?: string;
  /** X-Forwarded-For as fee gets it: what came in, then the browser's address, so fee counts key guesses per client. */
  forwardedFor?: string;
  /** A parsed JSON body (dispatch's body parser ran), sent on as JSON; undefined for none. */
  body?: unknown;
}

/** Fee's answer, passed back as it came. */
export interface ProxiedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Fee could not be reached (`unreachable`, 502) or did not answer in time (`timeout`, 504). */
export class FeeUnavailable extends Error {
  constructor(
    readonly reason: 'unreachable' | 'timeout',
    message: string,
  ) {
    super(message);
    this.name = 'FeeUnavailable';
  }

  get status(): 502 | 504 {
    return this.reason === 'timeout' ? 504 : 502;
  }
}

/** Only fee's agency API and its health go through: never `/metrics` or anything a crafted path reaches. */
const ALLOWED = /^\/(v1\/.+|health)$/;

/** Response headers worth passing back: CSV reports come as attachments. */
const PASSED_BACK = ['content-type', 'content-disposition'];

/**
 * The agency dashboard's way to fee: the browser talks to the dispatch port only, and dispatch forwards the
 * request to fee's HTTP API with the agency's own API key (fee checks it; dispatch adds no authority of its own).
 */
@Injectable()
export class FeeProxy {
  private readonly logger = new Logger('fee-proxy');

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Undefined when the path is not one the proxy forwards. */
  target(pathAndQuery: string): URL | undefined {
    let url: URL;
    try {
      // Parsing resolves dot segments (also percent-encoded ones), so the check below sees the real path.
      url = new URL(pathAndQuery, `${this.config.dispatch.feeUrl}/`);
    } catch {
      return undefined;
    }
    const base = new URL(`${this.config.dispatch.feeUrl}/`);
    // Encoded slashes or dots are no part of any fee path; refusing them leaves fee's router nothing to reinterpret.
    if (url.origin !== base.origin || !ALLOWED.test(url.pathname) || /%2f|%5c|%2e|\.\./i.test(url.pathname)) return undefined;
    return url;
  }

  async forward(request: ProxiedRequest, url: URL): Promise<ProxiedResponse> {
    const headers: Record<string, string> = {};
    if (request.authorization) headers.authorization = request.authorization;
    if (request.accept) headers.accept = request.accept;
    if (request.forwardedFor) headers['x-forwarded-for'] = request.forwardedFor;
    const hasBody = request.method !== 'GET' && request.body !== undefined;
    if (hasBody) headers['content-type'] = 'application/json';
    const timeoutMs = this.config.dispatch.feeProxyTimeoutMs;
    let response: Response;
    let body: Buffer;
    try {
      response = await fetch(url, {
        method: request.method,
        headers,
        body: hasBody ? JSON.stringify(request.body) : undefined,
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'manual',
      });
      body = Buffer.from(await response.arrayBuffer());
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        this.logger.warn(`${request.method} ${url.pathname}: fee did not answer within ${timeoutMs} ms`);
        throw new FeeUnavailable('timeout', `요금 서비스가 ${timeoutMs} ms 안에 응답하지 않았습니다 (fee did not answer within ${timeoutMs} ms)`);
      }
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      this.logger.warn(`${request.method} ${url.pathname}: fee unreachable (${cause})`);
      throw new FeeUnavailable('unreachable', `요금 서비스에 연결할 수 없습니다 (fee unreachable: ${cause})`);
    }
    const passed: Record<string, string> = {};
    for (const name of PASSED_BACK) {
      const value = response.headers.get(name);
      if (value) passed[name] = value;
    }
    return { status: response.status, headers: passed, body };
  }
}
