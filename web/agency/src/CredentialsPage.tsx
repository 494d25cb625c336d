import { useCallback, useEffect, useState } from 'react';
import { describeError, type AgencyApi } from './api';
import { ConfirmActions } from './ConfirmActions';
import { ErrorLine } from './ErrorLine';
import { seoulTimeSeconds } from './format';
import { ShownOnce } from './ShownOnce';
import type { Restaurant, Rider } from './types';
import { usePolling } from './use-polling';

type Credential = 'webhook-secret' | 'restaurant-key' | 'agency-key' | 'rider-token';

/** What every `…/rotate` route answers (docs/agency-api.md#rotating-keys-and-tokens). */
interface Rotated {
  credential: Credential;
  id: string;
  secret: string;
  rotatedAt: string;
  previousValidUntil: string;
}

interface KeyState {
  rotations: number;
  previousValidUntil: string | null;
  previousValid: boolean;
}

const CREDENTIAL_LABEL: Record<Credential, string> = {
  'webhook-secret': '웹훅 시크릿',
  'restaurant-key': '식당 API 키',
  'agency-key': '대행사 API 키',
  'rider-token': '라이더 토큰',
};

/** What each credential's button says. */
const ROTATE_LABEL: Record<Credential, string> = {
  'webhook-secret': '웹훅 시크릿 교체',
  'restaurant-key': 'API 키 교체',
  'agency-key': '대행사 API 키 교체',
  'rider-token': '토큰 교체',
};

/** One rotation the owner asked for: what, whose (a name), and how to make it. */
interface RotationRequest {
  credential: Credential;
  name: string;
  rotate: (overlapHours: number) => Promise<Rotated>;
}

/**
 * Rotating the agency's key, its restaurants' webhook secrets and API keys and its riders' tokens (owners only; the
 * server refuses anyone else): the new one is shown once, and beside it until when the one it replaced keeps
 * working, then that it stopped.
 */
export function CredentialsPage({ api, riders }: { api: AgencyApi; riders: Rider[] }) {
  const [overlap, setOverlap] = useState('24');
  const [pending, setPending] = useState<RotationRequest | null>(null);
  const [done, setDone] = useState<Array<Rotated & { name: string }>>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [restaurants, setRestaurants] = useState<Restaurant[]>([]);
  useEffect(() => {
    api.dispatch<{ restaurants: Restaurant[] }>('GET', '/restaurants').then(
      (r) => setRestaurants(r.restaurants),
      (e: unknown) => setProblem(describeError(e)),
    );
  }, [api]);
  const loadKey = useCallback(() => api.dispatch<KeyState>('GET', '/api-key'), [api]);
  const key = usePolling(loadKey, 10_000);

  const confirm = async (request: RotationRequest) => {
    setProblem(null);
    try {
      const rotated = await request.rotate(Number(overlap));
      setDone((list) => [{ ...rotated, name: request.name }, ...list]);
      setPending(null);
      if (rotated.credential === 'agency-key') key.refresh();
    } catch (e) {
      setProblem(describeError(e));
    }
  };
  const ask = (request: RotationRequest) => {
    setProblem(null);
    setPending(request);
  };

  return (
    <section aria-labelledby="credentials-title">
      <h2 id="credentials-title">키 교체</h2>
      <p className="muted">
        새 키는 한 번만 표시됩니다. 이전 키는 아래 기간 동안 함께 쓰이고 그 뒤로는 거절됩니다 (0: 즉시 중지, 잃어버린 휴대폰이나 유출된 키).
      </p>
      <label>
        이전 키 사용 기간 (시간)
        <input type="number" min={0} max={168} step="any" value={overlap} onChange={(e) => setOverlap(e.target.value)} />
      </label>
      <ErrorLine text={problem} />
      {pending && <ConfirmRotation request={pending} overlapHours={overlap} onConfirm={() => confirm(pending)} onCancel={() => setPending(null)} />}
      {done.map((rotated) => (
        <RotationResult key={`${rotated.credential}:${rotated.id}:${rotated.rotatedAt}`} rotated={rotated} />
      ))}

      <h3>대행사 API 키</h3>
      <p aria-label="대행사 API 키 상태">
        {key.data ? (key.data.rotations === 0 ? '교체한 적 없음' : `${key.data.rotations}번 교체함`) : '불러오는 중'}
        {key.data?.previousValidUntil && <> · 이전 키 <PreviousUntil until={key.data.previousValidUntil} /></>}
      </p>
      <button type="button" onClick={() => ask({ credential: 'agency-key', name: '대행사', rotate: (overlapHours) => api.dispatch<Rotated>('POST', '/api-key/rotate', { overlapHours }) })}>
        {ROTATE_LABEL['agency-key']}
      </button>

      <h3>식당</h3>
      <KeyTable
        label="식당 키 목록"
        onAsk={ask}
        rows={restaurants.map((r) => ({
          id: r.id,
          name: r.name,
          requests: [
            { credential: 'webhook-secret', name: r.name, rotate: (overlapHours) => api.dispatch<Rotated>('POST', `/restaurants/${r.id}/webhook-secret/rotate`, { overlapHours }) },
            { credential: 'restaurant-key', name: r.name, rotate: (overlapHours) => api.dispatch<Rotated>('POST', `/restaurants/${r.id}/api-key/rotate`, { overlapHours }) },
          ],
        }))}
      />

      <h3>라이더</h3>
      <KeyTable
        label="라이더 토큰 목록"
        onAsk={ask}
        rows={riders.map((r) => ({
          id: r.id,
          name: r.name,
          requests: [{ credential: 'rider-token', name: r.name, rotate: (overlapHours) => api.dispatch<Rotated>('POST', `/riders/${r.id}/token/rotate`, { overlapHours }) }],
        }))}
      />
    </section>
  );
}

/** Whose credentials may be rotated, a row each, a button a credential. */
function KeyTable({ label, rows, onAsk }: { label: string; rows: Array<{ id: string; name: string; requests: RotationRequest[] }>; onAsk: (request: RotationRequest) => void }) {
  return (
    <table className="admin-table" aria-label={label}>
      <tbody>
        {rows.map((row) => (
          <tr key={row.id} aria-label={`키 교체 ${row.name}`}>
            <th scope="row">{row.name}</th>
            <td className="actions">
              {row.requests.map((request) => (
                <button key={request.credential} type="button" onClick={() => onAsk(request)}>
                  {ROTATE_LABEL[request.credential]}
                </button>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ConfirmRotation({ request, overlapHours, onConfirm, onCancel }: { request: RotationRequest; overlapHours: string; onConfirm: () => Promise<void>; onCancel: () => void }) {
  const [busy, setBusy] = useState(false);
  const what = `${request.name} ${CREDENTIAL_LABEL[request.credential]}`;
  const confirm = async () => {
    setBusy(true);
    await onConfirm();
    setBusy(false);
  };
  return (
    <div role="alertdialog" aria-labelledby="rotate-title" aria-describedby="rotate-text" className="dialog">
      <h3 id="rotate-title">키 교체 확인</h3>
      <p id="rotate-text">
        {what}: 새로 발급할까요? 이전 것은 {Number(overlapHours) > 0 ? `${overlapHours}시간 뒤 중지됩니다` : '바로 중지됩니다'}.
      </p>
      <ConfirmActions label="교체 확정" busy={busy} onConfirm={() => void confirm()} onCancel={onCancel} />
    </div>
  );
}

/** A rotation just made: the new credential (shown this once), and whether the replaced one still works. */
function RotationResult({ rotated }: { rotated: Rotated & { name: string } }) {
  const label = CREDENTIAL_LABEL[rotated.credential];
  return (
    <div aria-label={`${rotated.name} ${label} 교체 결과`}>
      <ShownOnce
        label={`새 ${label}`}
        what={`${rotated.name} 새 ${label}`}
        secret={rotated.secret}
        hint={rotated.credential === 'agency-key' ? 'API 키로 로그인했다면 이전 키가 중지되기 전에 새 키로 다시 로그인하세요.' : '지금 복사해서 전달하세요. 이 화면을 벗어나면 다시 볼 수 없습니다.'}
      />
      <p aria-label={`이전 ${label}`}>
        이전 {label}: <PreviousUntil until={rotated.previousValidUntil} />
      </p>
    </div>
  );
}

/** `… 까지 사용 가능`, turning by itself into `… 에 중지됨` when that moment passes (on this device's clock). */
function PreviousUntil({ until }: { until: string }) {
  const end = Date.parse(until);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (now >= end) return;
    const timer = setTimeout(() => setNow(Date.now()), Math.min(end - now + 50, 60_000));
    return () => clearTimeout(timer);
  }, [now, end]);
  const time = <time dateTime={until}>{seoulTimeSeconds(until)}</time>;
  return now < end ? <span className="badge">{time}까지 사용 가능</span> : <span className="badge warn">{time}에 중지됨</span>;
}
