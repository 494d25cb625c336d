import { randomUUID } from 'node:crypto';
import type { OperatorRole } from '../../libs/platform/src/agency-access.js';

export interface SignedInOperator {
  id: string;
  email: string;
  password: string;
  role: OperatorRole;
  /** The session token (`os_…`). */
  token: string;
}

export async function call(baseUrl: string, method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** A person of the agency with `role`, invited with the agency key, who accepted and signed in, over dispatch's API. */
export async function signedInOperator(dispatchUrl: string, agency: { agencyId: string; apiKey: string }, role: OperatorRole): Promise<SignedInOperator> {
  const email = `${role}-${randomUUID().slice(0, 8)}@example.kr`;
  const password = `pw-${randomUUID()}`;
  const invite = await call(dispatchUrl, 'POST', `/v1/agencies/${agency.agencyId}/operator-invites`, agency.apiKey, { email, role });
  if (invite.status !== 201) throw new Error(`invite answered ${invite.status}: ${JSON.stringify(invite.body)}`);
  const accepted = await call(dispatchUrl, 'POST', '/v1/operator-invites/accept', undefined, { token: invite.body.inviteToken, name: `${role} 김`, password });
  if (accepted.status !== 201) throw new Error(`accept answered ${accepted.status}: ${JSON.stringify(accepted.body)}`);
  const session = await call(dispatchUrl, 'POST', '/v1/operator-sessions', undefined, { email, password });
  if (session.status !== 201) throw new Error(`sign-in answered ${session.status}: ${JSON.stringify(session.body)}`);
  return { id: accepted.body.operator.id, email, password, role, token: session.body.token };
}
