import type { FieldError } from './types';

export type Role = 'viewer' | 'dispatcher' | 'owner';

/**
 * Who is signed in: an operator with a session token (`os_…`, their own account and role) or a machine-style sign-in
 * with the agency API key (acts as owner). Kept in sessionStorage only, so closing the tab signs out.
 */
export interface Session {
  agencyId: string;
  kind: 'operator' | 'key';
  /** The bearer: the session token or the API key. */
  token: string;
  role: Role;
  /** `name <email>` of the operator; null for the key. */
  who: string | null;
  /** When the operator's session ends at the latest. */
  expiresAt?: string;
}

const SESSION_KEY = 'baecha.agency.session';

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    const parsed = raw ? (JSON.parse(raw) as Partial<Session>) : null;
    return parsed?.agencyId && parsed.token && parsed.kind && parsed.role ? (parsed as Session) : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(SESSION_KEY);
}

const RANK: Record<Role, number> = { viewer: 0, dispatcher: 1, owner: 2 };

/** Whether the signed-in role may do what needs `required` (the server checks again). */
export function may(session: Session, required: Role): boolean {
  return RANK[session.role] >= RANK[required];
}

/** An error answer `{ error: { code, message, details } }`, or the network failing (`code: NETWORK`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** `details` as field errors, when the answer listed them (TARIFF_INVALID, VALIDATION_FAILED). */
  get fieldErrors(): FieldError[] {
    return Array.isArray(this.details) ? (this.details as FieldError[]).filter((d) => d && typeof d.field === 'string') : [];
  }

  /** Fee could not be reached through dispatch's proxy. */
  get feeUnavailable(): boolean {
    return this.code === 'FEE_UNAVAILABLE' || (this.status >= 502 && this.status <= 504);
  }
}

/** The agency's API on this origin: dispatch at `/v1/...`, fee through dispatch's proxy at `/fee/...`. */
export class AgencyApi {
  /** `onSessionEnded`: an operator's session ended on the server (idle, expired, revoked): back to signing in. */
  constructor(
    readonly session: Session,
    private readonly onSessionEnded: () => void = () => undefined,
  ) {}

  /** `/v1/agencies/<id>` + path, on dispatch. */
  dispatch<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    return this.call<T>(method, `/v1/agencies/${encodeURIComponent(this.session.agencyId)}${path}`, body, [], headers);
  }

  /** A path on dispatch outside the agency's (`/v1/operator-sessions/current`). */
  root<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.call<T>(method, path, body);
  }

  /** `/fee/v1/agencies/<id>` + path, on fee through the proxy. */
  fee<T>(method: string, path: string, body?: unknown): Promise<T> {
    // Fee checks the agency key itself and counts anything else as a guessed key: a session is never sent there.
    if (this.session.kind === 'operator') return Promise.reject(new ApiError(401, 'KEY_REQUIRED', 'fee takes the agency API key only'));
    return this.call<T>(method, `/fee/v1/agencies/${encodeURIComponent(this.session.agencyId)}${path}`, body);
  }

  /**
   * Saves what `/v1/agencies/<id>` + path answers as a file (the board's CSV export): fetched with the session's
   * bearer (an operator's session token or the API key), since a plain link cannot send it, and handed to the browser under the name the server gives.
   */
  async download(path: string): Promise<void> {
    let response: Response;
    try {
      response = await fetch(`/v1/agencies/${encodeURIComponent(this.session.agencyId)}${path}`, { headers: { authorization: `Bearer ${this.session.token}` } });
    } catch (error) {
      throw new ApiError(0, 'NETWORK', `서버에 연결할 수 없습니다 (${(error as Error).message})`);
    }
    if (!response.ok) {
      const error = ((await response.json().catch(() => undefined)) as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
      throw new ApiError(response.status, error?.code ?? `HTTP_${response.status}`, error?.message ?? response.statusText, error?.details);
    }
    const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'download';
    const url = URL.createObjectURL(await response.blob());
    const link = Object.assign(document.createElement('a'), { href: url, download: name });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  /** Fee's /health: answered 503 when fee is down, which still carries the checks. */
  feeHealth<T>(): Promise<T> {
    return this.call<T>('GET', '/fee/health', undefined, [503]);
  }

  private async call<T>(method: string, url: string, body?: unknown, alsoOk: number[] = [], headers: Record<string, string> = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${this.session.token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new ApiError(0, 'NETWORK', `서버에 연결할 수 없습니다 (${(error as Error).message})`);
    }
    const text = await response.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: reported below by status
    }
    if (response.ok || alsoOk.includes(response.status)) {
      const error = (json as { error?: { code?: string } } | undefined)?.error;
      if (error?.code === 'FEE_UNAVAILABLE') throw new ApiError(response.status, error.code, '요금 서비스 응답 없음');
      return json as T;
    }
    const error = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    if (response.status === 401 && this.session.kind === 'operator') this.onSessionEnded();
    throw new ApiError(response.status, error?.code ?? `HTTP_${response.status}`, error?.message ?? (text.slice(0, 200) || response.statusText), error?.details);
  }
}

/** Signs an operator in with email and password: `POST /v1/operator-sessions`. */
export async function signInOperator(email: string, password: string): Promise<Session> {
  const anonymous = new AgencyApi({ agencyId: '', kind: 'key', token: '', role: 'viewer', who: null });
  const answer = await anonymous.root<{ token: string; expiresAt: string; agencyId: string; operator: { name: string; email: string; role: Role } }>('POST', '/v1/operator-sessions', { email, password });
  return { agencyId: answer.agencyId, kind: 'operator', token: answer.token, role: answer.operator.role, who: `${answer.operator.name} <${answer.operator.email}>`, expiresAt: answer.expiresAt };
}

/** Korean wording for the errors an operator can meet, with the server's message kept beside it. */
const ERROR_TEXT: Record<string, string> = {
  RIDER_AT_CAPACITY: '라이더가 더 받을 수 없습니다',
  INVALID_TRANSITION: '지금 상태에서는 할 수 없는 작업입니다',
  DELIVERY_NOT_PRICED: '요금이 정해지지 않은 배달입니다',
  RIDER_NOT_FOUND: '라이더를 찾을 수 없습니다',
  DELIVERY_NOT_FOUND: '배달을 찾을 수 없습니다',
  VALIDATION_FAILED: '입력값이 올바르지 않습니다',
  UNAUTHENTICATED: '로그인 정보가 올바르지 않거나 세션이 끝났습니다',
  FORBIDDEN: '이 계정의 권한으로는 할 수 없는 작업입니다',
  OPERATOR_NOT_FOUND: '운영자를 찾을 수 없습니다',
  RESTAURANT_NOT_FOUND: '식당을 찾을 수 없습니다',
  ORDER_CONFLICT: '같은 주문 번호로 다른 내용의 주문이 이미 있습니다',
  ADDRESS_NOT_FOUND: '주소를 찾을 수 없습니다',
  UPSTREAM_UNAVAILABLE: '연결된 서비스가 응답하지 않습니다. 같은 내용으로 다시 시도하세요',
  TOO_MANY_ATTEMPTS: '로그인 시도가 너무 많습니다. 잠시 후 다시 시도하세요',
  AGENCY_NOT_FOUND: '이 API 키로 열 수 없는 대행사입니다',
  TARIFF_INVALID: '요금표에 잘못된 값이 있습니다',
  FEE_UNAVAILABLE: '요금 서비스 응답 없음',
  KEY_REQUIRED: '요금표와 정산은 API 키로 로그인해야 볼 수 있습니다',
  NETWORK: '서버에 연결할 수 없습니다',
};

export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const korean = ERROR_TEXT[error.code];
  if (error.code === 'INVALID_TRANSITION') {
    const d = error.details as { from?: string; to?: string } | undefined;
    return `${korean} (${error.code}: ${d?.from ?? '?'} → ${d?.to ?? '?'}) ${error.message}`;
  }
  if (error.code === 'RIDER_AT_CAPACITY') {
    const d = error.details as { active?: number; capacity?: number } | undefined;
    return `${korean} (${error.code}: ${d?.active ?? '?'}/${d?.capacity ?? '?'}) ${error.message}`;
  }
  // Each refused field with the server's reason (`to: must be after from (…)`), not only their names.
  const fields = error.fieldErrors.map((f) => `${f.field}: ${f.reason}`).join('; ');
  const message = fields || error.message;
  return korean ? `${korean} (${error.code}) ${message === korean ? '' : message}`.trim() : `${error.code}: ${message}`;
}
