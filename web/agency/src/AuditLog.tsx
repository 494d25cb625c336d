import { useCallback, useEffect, useState } from 'react';
import { describeError, type AgencyApi } from './api';
import { seoulIso, seoulTime } from './format';
import { ErrorLine } from './ErrorLine';

interface Entry {
  id: string;
  at: string;
  operatorId: string | null;
  actor: string;
  action: string;
  subject: string | null;
  details: Record<string, unknown>;
}

const ACTION_LABEL: Record<string, string> = {
  'order.entered': '전화 주문 접수',
  'delivery.assigned': '수동 배차',
  'delivery.reassigned': '재배차',
  'delivery.unassigned': '배차 해제',
  'delivery.released': '보류 해제',
  'delivery.cancelled': '주문 취소',
  'delivery.failed': '배달 실패 처리',
  'settings.changed': '배차 설정 변경',
  'tariff.changed': '요금표 변경',
  'rider.created': '라이더 등록',
  'rider.edited': '라이더 수정',
  'rider.disabled': '라이더 사용 중지',
  'rider.enabled': '라이더 다시 사용',
  'restaurant.created': '식당 등록',
  'restaurant.edited': '식당 수정',
  'restaurant.disabled': '식당 사용 중지',
  'restaurant.enabled': '식당 다시 사용',
  'operator.invited': '운영자 초대',
  'operator.role-changed': '운영자 역할 변경',
  'operator.disabled': '운영자 사용 중지',
  'operator.sessions-revoked': '운영자 세션 종료',
};

/** What people and the agency key did by hand, newest first, filtered by who, what and when (owners only). */
export function AuditLog({ api }: { api: AgencyApi }) {
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [operators, setOperators] = useState<Array<{ id: string; name: string; email: string }>>([]);
  const [entries, setEntries] = useState<Entry[]>([]);
  const [nextBefore, setNextBefore] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const query = useCallback(
    (before?: string) => {
      const params = new URLSearchParams();
      if (actor) params.set('actor', actor);
      if (action) params.set('action', action);
      if (from) params.set('from', seoulIso(from));
      if (to) params.set('to', seoulIso(to));
      if (before) params.set('before', before);
      return api.dispatch<{ entries: Entry[]; nextBefore: string | null }>('GET', `/audit-log?${params.toString()}`);
    },
    [api, actor, action, from, to],
  );

  const load = useCallback(
    async (before?: string) => {
      setError(null);
      try {
        const page = await query(before);
        setEntries((shown) => (before ? [...shown, ...page.entries] : page.entries));
        setNextBefore(page.nextBefore);
      } catch (e) {
        setError(describeError(e));
      }
    },
    [query],
  );

  useEffect(() => void load(), [load]);
  useEffect(() => {
    api.dispatch<{ operators: Array<{ id: string; name: string; email: string }> }>('GET', '/operators').then((r) => setOperators(r.operators), () => undefined);
  }, [api]);

  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">작업 기록</h2>
      <form className="inline-form" aria-label="작업 기록 필터" onSubmit={(e) => e.preventDefault()}>
        <label>
          누가
          <select value={actor} onChange={(e) => setActor(e.target.value)}>
            <option value="">모두</option>
            <option value="key">API 키</option>
            {operators.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name} &lt;{o.email}&gt;
              </option>
            ))}
          </select>
        </label>
        <label>
          작업
          <select value={action} onChange={(e) => setAction(e.target.value)}>
            <option value="">모두</option>
            {Object.entries(ACTION_LABEL).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          부터
          <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          까지
          <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
      </form>
      <ErrorLine text={error} />
      <table className="admin-table" aria-label="작업 기록 목록">
        <thead>
          <tr>
            <th scope="col">시각</th>
            <th scope="col">누가</th>
            <th scope="col">작업</th>
            <th scope="col">대상</th>
            <th scope="col">내용</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id}>
              <td>{seoulTime(e.at)}</td>
              <td>{e.actor}</td>
              <td>{ACTION_LABEL[e.action] ?? e.action}</td>
              <td>{e.subject ?? ''}</td>
              <td>
                <code>{JSON.stringify(e.details)}</code>
              </td>
            </tr>
          ))}
          {entries.length === 0 && (
            <tr>
              <td colSpan={5}>기록이 없습니다</td>
            </tr>
          )}
        </tbody>
      </table>
      {nextBefore && (
        <button type="button" onClick={() => void load(nextBefore)}>
          더 보기
        </button>
      )}
    </section>
  );
}
