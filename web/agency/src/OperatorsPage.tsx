import { useCallback, useState, type FormEvent } from 'react';
import { describeError, type AgencyApi, type Role } from './api';
import { ShownOnce } from './ShownOnce';
import { useAction } from './use-action';
import { usePolling } from './use-polling';
import { ErrorLine } from './ErrorLine';

interface Operator {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
}

const ROLES: Array<[Role, string]> = [
  ['owner', '대표 (모든 권한)'],
  ['dispatcher', '배차 담당 (배차·취소·전화 주문)'],
  ['viewer', '조회 전용'],
];

/** The agency's people (owners only): invite, change roles, end sessions, disable. */
export function OperatorsPage({ api }: { api: AgencyApi }) {
  const load = useCallback(() => api.dispatch<{ operators: Operator[] }>('GET', '/operators'), [api]);
  const { data, error, refresh } = usePolling(load, 10_000);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('dispatcher');
  const [invite, setInvite] = useState<{ email: string; inviteToken: string; expiresAt: string } | null>(null);
  const { problem, act } = useAction(refresh);
  const sendInvite = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      setInvite(await api.dispatch('POST', '/operator-invites', { email: email.trim(), role }));
      setEmail('');
    });
  };

  return (
    <section aria-labelledby="operators-title">
      <h2 id="operators-title">운영자</h2>
      {error !== undefined && <p className="error">{describeError(error)}</p>}
      <form onSubmit={sendInvite} className="inline-form" aria-label="운영자 초대">
        <label>
          초대할 이메일
          <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
        </label>
        <label>
          역할
          <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">초대</button>
      </form>
      {invite && (
        <ShownOnce label="초대 토큰" what={`${invite.email} 초대 토큰, ${new Date(invite.expiresAt).toLocaleString('ko-KR')}까지`} secret={invite.inviteToken} />
      )}
      <ErrorLine text={problem} />
      <table className="admin-table">
        <thead>
          <tr>
            <th scope="col">이름</th>
            <th scope="col">이메일</th>
            <th scope="col">역할</th>
            <th scope="col">상태</th>
            <th scope="col">작업</th>
          </tr>
        </thead>
        <tbody>
          {(data?.operators ?? []).map((o) => (
            <tr key={o.id} aria-label={`운영자 ${o.email}`}>
              <th scope="row">{o.name}</th>
              <td>{o.email}</td>
              <td>
                <select aria-label={`${o.email} 역할`} value={o.role} disabled={o.disabled} onChange={(e) => void act(() => api.dispatch('PUT', `/operators/${o.id}/role`, { role: e.target.value }))}>
                  {ROLES.map(([value, label]) => (
                    <option key={value} value={value}>
                      {label}
                    </option>
                  ))}
                </select>
              </td>
              <td>{o.disabled ? '사용 중지' : '사용 중'}</td>
              <td className="actions">
                <button type="button" disabled={o.disabled} onClick={() => void act(() => api.dispatch('POST', `/operators/${o.id}/revoke-sessions`))}>
                  세션 모두 종료
                </button>
                <button type="button" className="danger" disabled={o.disabled} onClick={() => void act(() => api.dispatch('POST', `/operators/${o.id}/disable`))}>
                  사용 중지
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
