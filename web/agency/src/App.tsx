import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { AgencyApi, ApiError, describeError, loadSession, may, saveSession, type Role, type Session } from './api';
import { AuditLog } from './AuditLog';
import { Board, waitAlert } from './Board';
import { BoardFilters, boardQuery, NO_FILTERS, type BoardFilterValues } from './BoardFilters';
import { CredentialsPage } from './CredentialsPage';
import { FeePanel } from './FeePanel';
import { MapGuard } from './MapGuard';
import { OperatorsPage } from './OperatorsPage';
import { PhoneOrderForm } from './PhoneOrderForm';
import { ProviderHealthPanel } from './ProviderHealth';
import { RestaurantAdmin } from './RestaurantAdmin';
import { RiderAdmin } from './RiderAdmin';
import { RidersPanel } from './RidersPanel';
import { SignIn } from './SignIn';
import type { Delivery, Rider } from './types';
import { usePolling } from './use-polling';

/** How often the board and the riders are fetched. */
const BOARD_POLL_MS = 2500;
/** Deliveries per page of the board; 더 보기 adds the next page. */
const BOARD_PAGE = 200;
const THRESHOLD_KEY = 'baecha.agency.waitAlertSeconds';

export function App() {
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const [notice, setNotice] = useState<string | null>(null);
  const end = useCallback((why: string | null) => {
    saveSession(null);
    setSession(null);
    setNotice(why);
  }, []);
  if (!session) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(s) => {
          saveSession(s);
          setNotice(null);
          setSession(s);
        }}
      />
    );
  }
  return <Dashboard session={session} onSessionEnded={() => end('세션이 끝났습니다. 다시 로그인하세요.')} onSignOut={() => end(null)} />;
}

type Tab = 'board' | 'phone-order' | 'riders' | 'restaurants' | 'keys' | 'operators' | 'audit' | 'fees' | 'providers';
/** Each screen, and the least role that sees it (the server checks every call again). */
const TABS: Array<[Tab, string, Role]> = [
  ['board', '배차 현황', 'viewer'],
  ['phone-order', '전화 주문', 'dispatcher'],
  ['riders', '라이더 관리', 'viewer'],
  ['restaurants', '식당 관리', 'viewer'],
  ['keys', '키 교체', 'owner'],
  ['operators', '운영자', 'owner'],
  ['audit', '작업 기록', 'owner'],
  ['fees', '요금표·날씨 할증', 'viewer'],
  ['providers', '지도 제공자', 'viewer'],
];

const ROLE_LABEL: Record<Role, string> = { owner: '대표', dispatcher: '배차 담당', viewer: '조회 전용' };

function Dashboard({ session, onSignOut, onSessionEnded }: { session: Session; onSignOut: () => void; onSessionEnded: () => void }) {
  const ended = useRef(onSessionEnded);
  ended.current = onSessionEnded;
  const api = useMemo(() => new AgencyApi(session, () => ended.current()), [session]);
  const signOut = async () => {
    // The server forgets the session at once; a session already ended is just as signed out.
    if (session.kind === 'operator') await api.root('DELETE', '/v1/operator-sessions/current').catch(() => undefined);
    onSignOut();
  };
  const [tab, setTab] = useState<Tab>('board');
  const [threshold, setThreshold] = useState(() => Number(localStorage.getItem(THRESHOLD_KEY)) || 180);

  const [filters, setFilters] = useState<BoardFilterValues>(NO_FILTERS);
  const [pages, setPages] = useState(1);
  const query = boardQuery(filters);
  const load = useCallback(async () => {
    const [board, riders] = await Promise.all([boardPages(api, query, pages), api.dispatch<{ riders: Rider[] }>('GET', '/riders')]);
    return { ...board, riders: riders.riders };
  }, [api, query, pages]);
  const { data, error, refresh } = usePolling(load, BOARD_POLL_MS);
  // New filters or one more page: fetched now, not at the next tick.
  useEffect(refresh, [load]);
  const deliveries = data?.deliveries ?? [];
  const riders = data?.riders ?? [];
  // Filters the server refuses (400, e.g. a time range ending before it starts) are said beside the filters; the
  // board keeps what it showed.
  const refused = error instanceof ApiError && error.status === 400;
  const alerts = deliveries.filter((d) => waitAlert(d, threshold));

  return (
    <div className="app">
      <header className="top">
        <h1>배차 관제</h1>
        <span className="muted" aria-label="로그인 정보">
          대행사 {session.agencyId.slice(0, 8)} · {session.who ?? 'API 키'} · {ROLE_LABEL[session.role]}
        </span>
        <div role="tablist" aria-label="화면">
          {TABS.filter(([, , role]) => may(session, role)).map(([id, label]) => (
            <button key={id} role="tab" aria-selected={tab === id} aria-controls={`panel-${id}`} id={`tab-${id}`} onClick={() => setTab(id)}>
              {label}
            </button>
          ))}
        </div>
        <button type="button" onClick={() => void signOut()} className="signout">
          로그아웃
        </button>
      </header>
      {error !== undefined && !refused && (
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
            <BoardFilters
              api={api}
              riders={riders}
              applied={filters}
              problem={refused ? describeError(error) : null}
              onApply={(f) => {
                setFilters(f);
                setPages(1);
              }}
            />
            <Board api={api} deliveries={deliveries} riders={riders} thresholdSeconds={threshold} onChanged={refresh} filters={query} readOnly={!may(session, 'dispatcher')} />
            <p className="muted" aria-label="표시한 배달">
              {deliveries.length}건 표시{' '}
              {data?.next && (
                <button type="button" onClick={() => setPages((n) => n + 1)}>
                  더 보기 (다음 {BOARD_PAGE}건)
                </button>
              )}
            </p>
          </div>
          <aside className="board-side">
            <section aria-labelledby="map-title">
              <h2 id="map-title">지도</h2>
              <MapGuard deliveries={deliveries} riders={riders} />
            </section>
            <RidersPanel riders={riders} />
          </aside>
        </main>
      )}
      {tab !== 'board' && (
        <main role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
          {tab === 'phone-order' && <PhoneOrderForm api={api} onEntered={refresh} />}
          {tab === 'riders' && <RiderAdmin api={api} riders={riders} canManage={may(session, 'owner')} onChanged={refresh} />}
          {tab === 'restaurants' && <RestaurantAdmin api={api} canManage={may(session, 'owner')} />}
          {tab === 'keys' && <CredentialsPage api={api} riders={riders} />}
          {tab === 'operators' && <OperatorsPage api={api} />}
          {tab === 'audit' && <AuditLog api={api} />}
          {tab === 'fees' && <FeePanel api={api} />}
          {tab === 'providers' && <ProviderHealthPanel api={api} />}
        </main>
      )}
    </div>
  );
}

/** The board's first `pages` pages under the filters `query`, newest first, and where the next page would start. */
async function boardPages(api: AgencyApi, query: string, pages: number): Promise<{ deliveries: Delivery[]; next: string | null }> {
  const deliveries: Delivery[] = [];
  let next: string | null = null;
  for (let page = 0; page < pages && (page === 0 || next); page++) {
    const params = new URLSearchParams(query);
    params.set('limit', String(BOARD_PAGE));
    if (next) params.set('after', next);
    const answer: { deliveries: Delivery[]; next: string | null } = await api.dispatch('GET', `/deliveries?${params.toString()}`);
    deliveries.push(...answer.deliveries);
    next = answer.next;
  }
  return { deliveries, next };
}
