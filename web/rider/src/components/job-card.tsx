import { useState, type FormEvent } from 'react';
import { distance, won } from '../../../shared/format';
import { TimingFacts } from '../../../shared/timing-facts';
import type { Delivery } from '../protocol';
import { MapButtons } from './map-buttons';
import { pay } from './offer-card';

const STEP = {
  assigned: { label: '픽업 대기', next: '픽업 완료', event: 'delivery:pickedUp' },
  picked_up: { label: '배달 중', next: '배달 완료', event: 'delivery:delivered' },
} as const;

/** What the rider does about payment at the door: `현금 21,000원 받기`, `카드 21,000원 결제`, `선결제 (받을 돈 없음)`. */
function paymentText(payment: NonNullable<Delivery['payment']>): string {
  if (payment.method === 'prepaid') return '선결제 (받을 돈 없음)';
  return payment.method === 'cash' ? `현금 ${won(payment.collectAmount)} 받기` : `카드 ${won(payment.collectAmount)} 결제`;
}

/** A delivery the rider carries, with its next step (which works offline: see RiderClient.report). */
export function JobCard(props: {
  job: Delivery;
  /** By the server's clock, for how long until the food is ready. */
  now: number;
  onStep: (event: 'delivery:pickedUp' | 'delivery:delivered') => void;
  onFail: (reason: string) => void;
}) {
  const { job } = props;
  const step = job.status === 'assigned' || job.status === 'picked_up' ? STEP[job.status] : undefined;
  const [failing, setFailing] = useState(false);
  const [reason, setReason] = useState('');
  const fail = (event: FormEvent) => {
    event.preventDefault();
    if (reason.trim()) props.onFail(reason.trim());
  };
  return (
    <article className="card job" aria-label={`배달: ${job.restaurantName}`}>
      <header>
        <h3>{job.restaurantName}</h3>
        <span className={`chip ${job.status}`}>{step?.label ?? job.status}</span>
      </header>
      <dl>
        <dt>픽업</dt>
        <dd>{job.pickup.address}</dd>
        {/* Once the food is collected, only the promise still matters. */}
        <TimingFacts readyAt={job.status === 'assigned' ? job.readyAt : null} promisedAt={job.promisedAt} readyChange={job.readyChange} now={props.now} />
        <dt>배달지</dt>
        <dd>
          {job.dropoff.address}
          {job.dropoff.detail ? ` ${job.dropoff.detail}` : ''}
        </dd>
        {job.customerPhone && (
          <>
            <dt>고객 연락처</dt>
            <dd>
              <a href={`tel:${job.customerPhone}`}>{job.customerPhone}</a>
            </dd>
          </>
        )}
        {job.payment && (
          <>
            <dt>결제</dt>
            <dd className={job.payment.method === 'prepaid' ? 'payment' : 'payment collect'}>{paymentText(job.payment)}</dd>
          </>
        )}
        <dt>거리</dt>
        <dd>{job.distanceMeters === null ? '산정 중' : distance(job.distanceMeters)}</dd>
        <dt>수입</dt>
        <dd className="pay">{pay(job.riderPay, job.fee)}</dd>
      </dl>
      {job.status === 'assigned' ? (
        <MapButtons place={job.pickup} name={job.restaurantName} what="픽업지" />
      ) : (
        <MapButtons place={job.dropoff} name={job.dropoff.address} what="배달지" />
      )}
      {step && !failing && (
        <div className="actions">
          <button type="button" className="primary" onClick={() => props.onStep(step.event)}>
            {step.next}
          </button>
          <button type="button" className="secondary" onClick={() => setFailing(true)}>
            배달 불가
          </button>
        </div>
      )}
      {failing && (
        <form className="fail" onSubmit={fail}>
          <label htmlFor={`fail-${job.id}`}>배달 불가 사유</label>
          <input id={`fail-${job.id}`} value={reason} maxLength={500} onChange={(event) => setReason(event.target.value)} placeholder="예: 고객 연락 안 됨" />
          <div className="actions">
            <button type="submit" className="danger" disabled={!reason.trim()}>
              실패 보고
            </button>
            <button type="button" onClick={() => setFailing(false)}>
              취소
            </button>
          </div>
        </form>
      )}
    </article>
  );
}
