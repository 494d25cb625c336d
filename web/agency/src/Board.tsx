import { useState } from 'react';
import { describeError, type AgencyApi } from './api';
import { won } from '../../shared/format';
import { TimingFacts } from '../../shared/timing-facts';
import { duration, RIDER_STATE_LABEL, shortId, STATUS_LABEL, STATUSES } from './format';
import type { Delivery, DispatchDecision, HoldReason, Rider } from './types';
import { ConfirmActions } from './ConfirmActions';

/** Why a delivery needs the operator's eye, or null. Only waiting ones (대기, 제안 중) can be stuck waiting. */
export function waitAlert(d: Delivery, thresholdSeconds: number): string | null {
  if (d.needsManualDispatch) return '수동 배차 필요';
  if ((d.status === 'pending' || d.status === 'offered') && d.waitingSeconds > thresholdSeconds) return `대기 ${duration(thresholdSeconds)} 초과`;
  return null;
}

interface BoardProps {
  api: AgencyApi;
  deliveries: Delivery[];
  riders: Rider[];
  thresholdSeconds: number;
  onChanged: () => void;
  /** The board's filters as a query string (`status=…&q=…`), which the CSV export selects by too. */
  filters?: string;
  /** A viewer's board: no hands on the deliveries (the server refuses them anyway). */
  readOnly?: boolean;
}

/** The deliveries in one column per status, the longest-waiting first, with the operator's hands on each. */
export function Board({ api, deliveries, riders, thresholdSeconds, onChanged, filters = '', readOnly = false }: BoardProps) {
  const [confirming, setConfirming] = useState<Delivery | null>(null);
  return (
    <section aria-labelledby="board-title" className="board-section">
      <div className="board-head">
        <h2 id="board-title">배차 현황</h2>
        <CsvExport api={api} filters={filters} />
      </div>
      <div className="board">
        {STATUSES.map((status) => {
          const column = deliveries.filter((d) => d.status === status).sort((a, b) => b.waitingSeconds - a.waitingSeconds);
          return (
            <section key={status} className={`column column-${status}`} aria-label={`${STATUS_LABEL[status]} ${column.length}건`}>
              <h3>
                {STATUS_LABEL[status]} <span className="count">{column.length}</span>
              </h3>
              {column.map((d) => (
                <DeliveryCard key={d.id} api={api} delivery={d} riders={riders} alert={waitAlert(d, thresholdSeconds)} onChanged={onChanged} onCancel={() => setConfirming(d)} readOnly={readOnly} />
              ))}
            </section>
          );
        })}
      </div>
      {confirming && <CancelDialog api={api} delivery={confirming} onClose={() => setConfirming(null)} onChanged={onChanged} />}
    </section>
  );
}

/** Downloads every delivery the board's filters select (all pages, not only those shown) as CSV for Excel. */
function CsvExport({ api, filters }: { api: AgencyApi; filters: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const download = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.download(`/deliveries/export.csv${filters ? `?${filters}` : ''}`);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" onClick={() => void download()} disabled={busy}>
        {busy ? '내려받는 중…' : 'CSV 내려받기'}
      </button>
      {error && (
        <span role="alert" className="error">
          {error}
        </span>
      )}
    </>
  );
}


function DeliveryCard({ api, delivery: d, riders, alert, onChanged, onCancel, readOnly }: { api: AgencyApi; delivery: Delivery; riders: Rider[]; alert: string | null; onChanged: () => void; onCancel: () => void; readOnly: boolean }) {
  const [riderId, setRiderId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const canAssign = !readOnly && (d.status === 'pending' || d.status === 'offered');
  const canMove = !readOnly && d.status === 'assigned';
  const canCancel = canAssign || canMove;
  const choices = riders.filter((r) => r.id !== d.rider?.id);
  const name = `배달 ${shortId(d.id)}`;

  const act = async (step: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await step();
      setRiderId('');
      onChanged();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <article className={`card${alert ? ' alert' : ''}`} aria-label={name} data-delivery-id={d.id}>
      <header>
        <strong>{d.restaurantName ?? '식당'}</strong> <span className="muted">#{shortId(d.id)}</span>
      </header>
      {alert && (
        <p className="badge warn" role="status">
          ⚠ {alert}
        </p>
      )}
      <dl className="facts">
        <dt>대기</dt>
        <dd aria-label="주문 후 경과">{duration(d.waitingSeconds)}</dd>
        <dt>현 상태</dt>
        <dd aria-label="현 상태 경과">{duration(d.inStatusSeconds)}</dd>
        <TimingFacts readyAt={d.readyAt} promisedAt={d.promisedAt} readyChange={d.readyChange} now={Date.now()} />
        <dt>도착지</dt>
        <dd>{d.dropoff.address ?? `${d.dropoff.lat.toFixed(4)}, ${d.dropoff.lng.toFixed(4)}`}</dd>
        <dt>요금</dt>
        <dd>
          {d.fee ? `${won(d.fee.total)}${d.fee.estimated ? ' (추정)' : ''}` : d.pricingProblem ? `요금 불가: ${d.pricingProblem.code}` : '요금 대기'}
        </dd>
        {d.rider && (
          <>
            <dt>라이더</dt>
            <dd>
              {d.rider.name}
              {d.assignedBy === 'agency' ? ' (수동)' : ''}
            </dd>
          </>
        )}
        {d.offers && d.offers.length > 0 && (
          <>
            <dt>제안</dt>
            <dd aria-label="제안 수신">
              {d.offers.map((offer) => `${riders.find((r) => r.id === offer.riderId)?.name ?? '라이더'} ${offer.seen ? '확인함' : '미확인'}`).join(', ')}
            </dd>
          </>
        )}
        {d.dispatchHold && (
          <>
            <dt>보류</dt>
            <dd>자동 배차 보류 중</dd>
          </>
        )}
        {!d.dispatchHold && (d.status === 'pending' || d.status === 'offered') && d.dispatchDecision && <DecisionFacts decision={d.dispatchDecision} />}
        {d.failureReason && (
          <>
            <dt>실패 사유</dt>
            <dd>{d.failureReason}</dd>
          </>
        )}
      </dl>
      {(canAssign || canMove) && (
        <div className="actions">
          <label>
            <span className="visually-hidden">{name} </span>라이더 선택
            <select value={riderId} onChange={(e) => setRiderId(e.target.value)} disabled={busy}>
              <option value="">라이더를 고르세요</option>
              {choices.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name} · {RIDER_STATE_LABEL[r.state]} · {r.load.active}/{r.capacity}
                </option>
              ))}
            </select>
          </label>
          {canAssign && (
            <button type="button" disabled={busy || !riderId} onClick={() => void act(() => api.dispatch('POST', `/deliveries/${d.id}/assign`, { riderId }))}>
              배차
            </button>
          )}
          {canMove && (
            <>
              <button type="button" disabled={busy || !riderId} onClick={() => void act(() => api.dispatch('POST', `/deliveries/${d.id}/reassign`, { riderId }))}>
                재배차
              </button>
              <button type="button" disabled={busy} onClick={() => void act(() => api.dispatch('POST', `/deliveries/${d.id}/unassign`, {}))}>
                배차 해제
              </button>
            </>
          )}
        </div>
      )}
      {d.dispatchHold && !readOnly && (
        <div className="actions">
          <button type="button" disabled={busy} onClick={() => void act(() => api.dispatch('POST', `/deliveries/${d.id}/release`))}>
            보류 해제
          </button>
        </div>
      )}
      {canCancel && (
        <div className="actions">
          <button type="button" className="danger" disabled={busy} onClick={onCancel}>
            주문 취소
          </button>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </article>
  );
}

const HOLD_LABEL: Record<HoldReason, string> = {
  NOT_YET_DUE: '조리 대기 (아직 보낼 때 아님)',
  RIDER_BUSY: '라이더 작업 후 배차 예정',
  RIDERS_TAKEN: '라이더 모두 더 급한 배달에',
  NO_RIDER: '가능한 라이더 없음',
};

/** Why the planner offered it to these riders (and who came next), or why it holds it. */
function DecisionFacts({ decision }: { decision: DispatchDecision }) {
  const time = (iso: string) => new Date(iso).toLocaleTimeString('ko-KR', { hour: '2-digit', minute: '2-digit' });
  return (
    <>
      <dt>배차 판단</dt>
      <dd aria-label="배차 판단" title={decision.summary}>
        {decision.outcome === 'held' ? `보류: ${HOLD_LABEL[decision.reason!]}` : `제안: 라이더 ${decision.riderIds.map(shortId).join(', ')}`}
        {decision.offerAt && ` · ${time(decision.offerAt)} 제안 예정`}
        {decision.runnerUp && ` · 차순위 ${shortId(decision.runnerUp.riderId)} (+${duration(decision.runnerUp.extraSeconds)})`}
        {decision.bundleWith.length > 0 && ` · 묶음 ${decision.bundleWith.length + 1}건`}
        <br />
        <small className="muted">{decision.summary}</small>
      </dd>
    </>
  );
}

function CancelDialog({ api, delivery, onClose, onChanged }: { api: AgencyApi; delivery: Delivery; onClose: () => void; onChanged: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.dispatch('POST', `/deliveries/${delivery.id}/cancel`);
      onChanged();
      onClose();
    } catch (e) {
      setError(describeError(e));
      setBusy(false);
    }
  };
  return (
    <div className="backdrop">
      <div role="alertdialog" aria-modal="true" aria-labelledby="cancel-title" aria-describedby="cancel-text" className="dialog">
        <h3 id="cancel-title">주문 취소 확인</h3>
        <p id="cancel-text">
          {delivery.restaurantName ?? '식당'} #{shortId(delivery.id)} 배달을 취소할까요? 되돌릴 수 없습니다.
        </p>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <ConfirmActions label="취소 확정" busy={busy} onConfirm={() => void confirm()} onCancel={onClose} />
      </div>
    </div>
  );
}
