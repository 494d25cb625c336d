import { useCallback, useMemo, useState, type FormEvent } from 'react';
import { AgencyApi, describeError, loadSession, saveSession, type Session } from './api';
import { Board, waitAlert } from './Board';
import { FeePanel } from './FeePanel';
import { MapView } from './MapView';
import { ProviderHealthPanel } from './ProviderHealth';
import { RidersPanel } from './RidersPanel';
import type { Delivery, Rider } from './types';
import { usePolling } from './use-polling';

/** How often the board and the riders are fetched. */
const BOARD_POLL_MS = 2500;
const THRESHOLD_KEY = 'baecha.agency.waitAlertSeconds';

export function App() {
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const signOut = () => {
    saveSession(null);
    setSession(null);
  };
  if (!session) {
    return (
      <SignIn
        onSignedIn={(s) => {
          saveSession(s);
          setSession(s);
        }}
      />
    );
  }
  return <Dashboard session={session} onSignOut={signOut} />;
}

function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [agencyId, setAgencyId] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const session = { agencyId: agencyId.trim(), apiKey: apiKey.trim() };
    setBusy(true);
    setError(null);
    try {
      // The key is checked by asking for something only the agency may read.
      await new AgencyApi(session).dispatch('GET', '/riders');
      onSignedIn(session);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <h1>배차 관제 로그인</h1>
      <form onSubmit={(e) => void submit(e)} aria-label="로그인">
        <label>
          대행사 ID
          <input value={agencyId} onChange={(e) => setAgencyId(e.target.value)} required autoComplete="username" spellCheck={false} />
        </label>
        <label>
          API 키
          <input type="password" value={apiKey} onChange={(e) => setApiKey(e.target.value)} required autoComplete="current-password" />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? '확인 중…' : '로그인'}
        </button>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <p className="muted">API 키는 이 탭에만 보관되며 탭을 닫으면 지워집니다.</p>
      </form>
    </main>
  );
}

type Tab = 'board' | 'fees' | 'providers';
const TABS: Array<[Tab, string]> = [
  ['board', '배차 현황'],
  ['fees', '요금표·날씨 할증'],
  ['providers', '지도 제공자'],
];

function Dashboard({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const api = useMemo(() => new AgencyApi(session), [session]);
  const [tab, setTab] = useState<Tab>('board');
  const [threshold, setThreshold] = useState(() => Number(localStorage.getItem(THRESHOLD_KEY)) || 180);

  const load = useCallback(async () => {
    const [board, riders] = await Promise.all([
      api.dispatch<{ deliveries: Delivery[] }>('GET', '/deliveries?limit=200'),
      api.dispatch<{ riders: Rider[] }>('GET', '/riders'),
    ]);
    return { deliveries: board.deliveries, riders: riders.riders };
  }, [api]);
  const { data, error, refresh } = usePolling(load, BOARD_POLL_MS);
  const deliveries = data?.deliveries ?? [];
  const riders = data?.riders ?? [];
  const alerts = deliveries.filter((d) => waitAlert(d, threshold));

  return (
    <div className="app">
      <header className="top">
        <h1>배차 관제</h1>
        <span className="muted">대행사 {session.agencyId.slice(0, 8)}</span>
        <div role="tablist" aria-label="화면">
          {TABS.map(([id, label]) => (
            <button key={id} role="tab" aria-selected={tab === id} aria-controls={`panel-${id}`} id={`tab-${id}`} onClick={() => setTab(id)}>
              {label}
            </button>
          ))}
        </div>
        <button type="button" onClick={onSignOut} className="signout">
          로그아웃
        </button>
      </header>
      {error !== undefined && (
        <p className="badge warn" role="alert">
          배차 서버 응답 없음: {describeError(error)} (마지막으로 받은 내용을 표시합니다)
        </p>
      )}
      {tab === 'board' && (
        <main role="tabpanel" id="panel-board" aria-labelledby="tab-board" className="board-layout">
          <div className="board-main">
            <div className="toolbar">
              <p role="status" aria-label="경고" className={alerts.length ? 'badge warn' : 'badge'}>
                {alerts.length ? `⚠ 오래 기다리는 배달 ${alerts.length}건` : '오래 기다리는 배달 없음'}
              </p>
              <label>
                대기 경고 기준 (분)
                <input
                  type="number"
                  min={1}
                  value={Math.round(threshold / 60)}
                  onChange={(e) => {
                    const seconds = Math.max(1, Number(e.target.value) || 1) * 60;
                    setThreshold(seconds);
                    localStorage.setItem(THRESHOLD_KEY, String(seconds));
                  }}
                />
              </label>
              <span className="muted">{BOARD_POLL_MS / 1000}초마다 갱신</span>
            </div>
            <Board api={api} deliveries={deliveries} riders={riders} thresholdSeconds={threshold} onChanged={refresh} />
          </div>
          <aside className="board-side">
            <section aria-labelledby="map-title">
              <h2 id="map-title">지도</h2>
              <MapView deliveries={deliveries} riders={riders} />
            </section>
            <RidersPanel riders={riders} />
          </aside>
        </main>
      )}
      {tab === 'fees' && (
        <main role="tabpanel" id="panel-fees" aria-labelledby="tab-fees">
          <FeePanel api={api} />
        </main>
      )}
      {tab === 'providers' && (
        <main role="tabpanel" id="panel-providers" aria-labelledby="tab-providers">
          <ProviderHealthPanel api={api} />
        </main>
      )}
    </div>
  );
}
