import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { simulateRoute, watchDevice, type LocationSource } from '../location-source';
import { OfferAlert } from '../offer-alert';
import { OfflineStore } from '../offline-store';
import type { Ack, Delivery, Offer, Position } from '../protocol';
import { RiderClient } from '../rider-client';
import { initialState, riderReducer, visibleJobs, type Connection } from '../rider-state';
import { OfflineBanner } from './offline-banner';
import { JobCard } from './job-card';
import { OfferCard } from './offer-card';

const CONNECTION_TEXT: Record<Connection, string> = {
  idle: '오프라인',
  connecting: '연결 중…',
  connected: '연결됨',
  reconnecting: '연결 끊김 · 다시 연결 중…',
  unauthorized: '인증 실패',
};

const REFUSALS: Record<string, string> = {
  OFFER_EXPIRED: '응답 시간이 지났습니다.',
  OFFER_TAKEN: '다른 라이더가 먼저 받았습니다.',
  OFFER_CLOSED: '이미 닫힌 배차입니다.',
  OFFER_NOT_FOUND: '더 이상 유효하지 않은 배차입니다.',
  RIDER_AT_CAPACITY: '동시에 맡을 수 있는 배달 수를 넘습니다.',
  DELIVERY_NOT_FOUND: '더 이상 내 배달이 아닙니다.',
  INVALID_TRANSITION: '지금은 할 수 없는 단계입니다.',
  IMPLAUSIBLE_LOCATION: '위치가 너무 멀리 튀어 무시되었습니다.',
  STALE_LOCATION: '오래된 위치라 무시되었습니다.',
  TIMEOUT: '서버 응답이 없습니다. 잠시 후 다시 시도하세요.',
};
const refusal = (answer: Extract<Ack, { ok: false }>) => REFUSALS[answer.code] ?? answer.message;

type LocationMode = 'off' | 'device' | 'route';

function useNow(active: boolean, offsetMs: number): number {
  const [now, setNow] = useState(() => Date.now() + offsetMs);
  useEffect(() => {
    setNow(Date.now() + offsetMs);
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now() + offsetMs), 250);
    return () => clearInterval(timer);
  }, [active, offsetMs]);
  return now;
}

export function RiderScreen({ token, onSignOut }: { token: string; onSignOut: (refused: boolean) => void }) {
  const [state, dispatch] = useReducer(riderReducer, initialState);
  const client = useRef<RiderClient | null>(null);
  const [busy, setBusy] = useState<Set<string>>(new Set());
  const [mode, setMode] = useState<LocationMode>('off');
  const [located, setLocated] = useState<{ position: Position; at: number; problem?: string } | null>(null);
  const [locationProblem, setLocationProblem] = useState<string | null>(null);
  const now = useNow(state.offers.length > 0, state.clockOffsetMs);

  const store = useRef<OfflineStore | null>(null);
  const offerAlert = useRef(new OfferAlert());
  /** The jobs on screen, named in every handshake: after a rebuild the server says why any of them went. */
  const held = useRef<string[]>([]);
  held.current = state.jobs.map((job) => job.id);
  const [alerting, setAlerting] = useState(true);
  // Sound can start only from a tap, and notifications are asked for then too.
  useEffect(() => {
    const unlock = () => offerAlert.current.unlock();
    document.addEventListener('pointerdown', unlock, { once: true });
    return () => document.removeEventListener('pointerdown', unlock);
  }, []);
  const toggleAlert = () => {
    const next = !alerting;
    setAlerting(next);
    offerAlert.current.enabled = next;
    offerAlert.current.unlock();
    void store.current?.put('settings', { alert: next });
  };
  useEffect(() => {
    let rider: RiderClient | undefined;
    let closed = false;
    // What the device kept (jobs, reports not yet sent, the stream position) comes first, then the connection.
    void OfflineStore.open().then(async (opened) => {
      const [snapshot, outbox, stream, settings] = await Promise.all([opened.get('jobs'), opened.pending(), opened.get('stream'), opened.get('settings')]);
      if (closed) return;
      store.current = opened;
      dispatch({ type: 'restore', snapshot, outbox });
      offerAlert.current.enabled = settings?.alert ?? true;
      setAlerting(offerAlert.current.enabled);
      rider = new RiderClient(
        token,
        dispatch,
        opened,
        stream ?? null,
        (offer) => offerAlert.current.offer(offer),
        () => held.current,
        (answer) => setLocated((last) => last && { ...last, problem: refusal(answer) }),
      );
      client.current = rider;
      rider.start();
    });
    return () => {
      closed = true;
      rider?.close();
      client.current = null;
    };
  }, [token]);

  // The jobs as the server last confirmed them are kept on the device, to show after a reload with no network.
  useEffect(() => {
    if (state.confirmedAt) void store.current?.put('jobs', { jobs: state.jobs, confirmedAt: state.confirmedAt });
  }, [state.jobs, state.confirmedAt]);

  // Notices go away by themselves, oldest first.
  useEffect(() => {
    const oldest = state.notices[0];
    if (!oldest) return;
    const timer = setTimeout(() => dispatch({ type: 'dismiss', id: oldest.id }), 6000);
    return () => clearTimeout(timer);
  }, [state.notices]);

  useEffect(() => {
    if (mode === 'off') return;
    setLocationProblem(null);
    const report = (position: Position) => {
      void client.current?.sendLocation(position).then((answer) => {
        setLocated({ position, at: Date.now(), problem: !answer ? '연결되면 전송합니다.' : answer.ok ? undefined : refusal(answer) });
      });
    };
    const source: LocationSource = mode === 'route' ? simulateRoute(report) : watchDevice(report, setLocationProblem);
    return () => source.stop();
  }, [mode]);

  /** Runs one request per key (an offer, a delivery, the break) at a time, and says why it was refused. */
  const act = useCallback(async <T,>(key: string, send: (rider: RiderClient) => Promise<Ack<T>>, done: (answer: Ack<T> & { ok: true }) => void, failed?: (answer: Extract<Ack, { ok: false }>) => void) => {
    const rider = client.current;
    if (!rider) return;
    setBusy((keys) => new Set(keys).add(key));
    try {
      const answer = await send(rider);
      if (answer.ok) done(answer as Ack<T> & { ok: true });
      else {
        dispatch({ type: 'notice', text: refusal(answer), tone: 'warn' });
        failed?.(answer);
      }
    } finally {
      setBusy((keys) => {
        const next = new Set(keys);
        next.delete(key);
        return next;
      });
    }
  }, []);

  const accept = (offer: Offer) =>
    act<{ delivery: Delivery }>(
      offer.offerId,
      (rider) => rider.ask('offer:accept', { offerId: offer.offerId }),
      ({ delivery }) => dispatch({ type: 'delivery', delivery, notice: `배차를 수락했습니다: ${delivery.restaurantName}` }),
      (answer) => {
        const details = answer.details as { assignedToYou?: boolean } | undefined;
        // Our own earlier accept won (its answer was lost): the delivery is ours, reconnecting lists it in `jobs`.
        if (answer.code === 'OFFER_TAKEN' && details?.assignedToYou) {
          dispatch({ type: 'delivery', delivery: deliveryFromOffer(offer) });
        } else if (answer.code !== 'RIDER_AT_CAPACITY' && answer.code !== 'TIMEOUT') {
          dispatch({ type: 'offer:gone', offerId: offer.offerId });
        }
      },
    );
  const decline = (offer: Offer) =>
    act(offer.offerId, (rider) => rider.ask('offer:decline', { offerId: offer.offerId }), () => dispatch({ type: 'offer:gone', offerId: offer.offerId }), () =>
      dispatch({ type: 'offer:gone', offerId: offer.offerId }),
    );
  // Reports work with or without a network: they go through the device's outbox.
  const step = (job: Delivery, event: 'delivery:pickedUp' | 'delivery:delivered') => void client.current?.report(event, job);
  const fail = (job: Delivery, reason: string) => void client.current?.report('delivery:failed', job, reason);
  const jobs = visibleJobs(state);
  const setBreak = (on: boolean) =>
    act<{ state: 'online' | 'on_break' }>('break', (rider) => rider.ask(on ? 'break:start' : 'break:end'), ({ state: presence }) => dispatch({ type: 'presence', presence }));

  const connected = state.connection === 'connected';
  const running = state.connection !== 'idle' && state.connection !== 'unauthorized';

  if (state.connection === 'unauthorized') {
    return (
      <main className="rider">
        <p className="problem" role="alert">
          {state.endedWhy ?? '토큰이 올바르지 않습니다. 다시 로그인하세요.'}
        </p>
        <button type="button" className="primary" onClick={() => onSignOut(true)}>
          다시 로그인
        </button>
      </main>
    );
  }

  return (
    <main className="rider">
      <header className="top">
        <h1>배차 라이더</h1>
        <div className={`connection ${state.connection}`} role="status" aria-label="연결 상태">
          {running && !state.network ? '오프라인 · 네트워크 없음' : CONNECTION_TEXT[state.connection]}
        </div>
      </header>

      <section className="controls" aria-label="운행">
        <p className="presence" aria-label="운행 상태">
          {!running ? '운행 종료' : !connected ? '연결 대기' : state.presence === 'on_break' ? '휴식 중' : '운행 중'}
        </p>
        <div className="actions">
          {running ? (
            <>
              {state.presence === 'on_break' ? (
                <button type="button" className="primary" disabled={!connected || busy.has('break')} onClick={() => void setBreak(false)}>
                  휴식 종료
                </button>
              ) : (
                <button type="button" disabled={!connected || busy.has('break')} onClick={() => void setBreak(true)}>
                  휴식 시작
                </button>
              )}
              <button type="button" onClick={() => client.current?.stop()}>
                운행 종료
              </button>
            </>
          ) : (
            <button type="button" className="primary" onClick={() => client.current?.start()}>
              운행 시작
            </button>
          )}
        </div>
        <div className="actions">
          <button type="button" aria-pressed={mode === 'device'} onClick={() => setMode(mode === 'device' ? 'off' : 'device')}>
            {mode === 'device' ? '위치 공유 중지' : '내 위치 공유'}
          </button>
          <button type="button" aria-pressed={mode === 'route'} onClick={() => setMode(mode === 'route' ? 'off' : 'route')}>
            {mode === 'route' ? '모의 주행 중지' : '모의 주행'}
          </button>
        </div>
        <div className="actions">
          <button type="button" aria-pressed={alerting} onClick={toggleAlert}>
            {alerting ? '새 배차 알림음·진동 켜짐' : '새 배차 알림음·진동 꺼짐'}
          </button>
        </div>
        <p className="location" aria-label="위치">
          {locationProblem ??
            (mode === 'off'
              ? '위치를 공유해야 배차를 받을 수 있습니다.'
              : located
                ? `${mode === 'route' ? '모의 주행' : '내 위치'} ${located.position.lat.toFixed(5)}, ${located.position.lng.toFixed(5)}${located.problem ? ` · ${located.problem}` : ' · 전송됨'}`
                : '위치 확인 중…')}
        </p>
      </section>

      {running && !connected && <OfflineBanner network={state.network} waiting={state.outbox.length} confirmedAt={state.confirmedAt} />}

      <ul className="notices" aria-live="polite" aria-label="알림">
        {state.notices.map((notice) => (
          <li key={notice.id} className={notice.tone}>
            <span>{notice.text}</span>
            <button type="button" aria-label="알림 닫기" onClick={() => dispatch({ type: 'dismiss', id: notice.id })}>
              ×
            </button>
          </li>
        ))}
      </ul>

      <section aria-label="배차 제안">
        <h2>배차 제안</h2>
        {state.offers.length === 0 ? (
          <p className="empty">{connected ? (state.presence === 'on_break' ? '휴식 중에는 배차가 오지 않습니다.' : '새 배차를 기다리는 중입니다.') : '연결되면 배차를 받습니다.'}</p>
        ) : (
          state.offers.map((offer) => (
            <OfferCard key={offer.offerId} offer={offer} now={now} busy={!connected || busy.has(offer.offerId)} onAccept={() => void accept(offer)} onDecline={() => void decline(offer)} />
          ))
        )}
      </section>

      <section aria-label="진행 중인 배달">
        <h2>진행 중인 배달 {jobs.length > 0 && <span className="count">{jobs.length}</span>}</h2>
        {jobs.length === 0 ? (
          <p className="empty">진행 중인 배달이 없습니다.</p>
        ) : (
          jobs.map((job) => <JobCard key={job.id} job={job} now={now} onStep={(event) => step(job, event)} onFail={(reason) => fail(job, reason)} />)
        )}
      </section>

      <footer>
        <button type="button" className="link" onClick={() => void store.current?.clear().finally(() => onSignOut(false))}>
          로그아웃
        </button>
      </footer>
    </main>
  );
}

function deliveryFromOffer(offer: Offer): Delivery {
  return {
    id: offer.deliveryId,
    orderId: '',
    status: 'assigned',
    restaurantName: offer.restaurantName,
    pickup: offer.pickup,
    dropoff: offer.dropoff,
    fee: offer.fee,
    riderPay: offer.riderPay,
    distanceMeters: offer.distanceMeters,
    readyAt: offer.readyAt,
    promisedAt: offer.promisedAt,
    readyChange: offer.readyChange,
    assignedAt: null,
    pickedUpAt: null,
    deliveredAt: null,
  };
}
