import { useState } from 'react';
import { countdown, distance, won } from '../../../shared/format';
import { TimingFacts } from '../../../shared/timing-facts';
import type { Offer } from '../protocol';
import { MapButtons } from './map-buttons';

export function pay(riderPay: number | null, fee: number | null): string {
  if (riderPay !== null) return won(riderPay);
  return fee !== null ? `배달료 ${won(fee)}` : '요금 산정 중';
}

/** An offer with a live countdown to `expiresAt` (by the server's clock), large and with a bar, to read at a glance. */
export function OfferCard(props: { offer: Offer; now: number; busy: boolean; onAccept: () => void; onDecline: () => void }) {
  const { offer, now, busy } = props;
  const left = (Date.parse(offer.expiresAt) - now) / 1000;
  const [total] = useState(() => Math.max(1, left));
  const expired = left <= 0;
  const urgent = left < 10;
  return (
    <article className="card offer" aria-label={`배차 제안: ${offer.restaurantName}`}>
      <header>
        <h3>{offer.restaurantName}</h3>
        <span className={`countdown${urgent ? ' urgent' : ''}`} role="timer" aria-label="남은 시간">
          {expired ? '시간 초과' : countdown(left)}
        </span>
      </header>
      <div className={`time-bar${urgent ? ' urgent' : ''}`} aria-hidden="true">
        <span style={{ width: `${Math.max(0, Math.min(1, left / total)) * 100}%` }} />
      </div>
      <dl>
        <dt>픽업</dt>
        <dd>{offer.pickup.address}</dd>
        <TimingFacts readyAt={offer.readyAt} promisedAt={offer.promisedAt} readyChange={offer.readyChange} now={now} />
        <dt>배달지</dt>
        <dd>
          {offer.dropoff.address}
          {offer.dropoff.detail ? ` ${offer.dropoff.detail}` : ''}
        </dd>
        <dt>거리</dt>
        <dd>{offer.feePending || offer.distanceMeters === null ? '산정 중' : distance(offer.distanceMeters)}</dd>
        <dt>수입</dt>
        <dd className="pay" aria-label="수입">
          {offer.feePending ? '요금 산정 중' : pay(offer.riderPay, offer.fee)}
        </dd>
      </dl>
      <MapButtons place={offer.pickup} name={offer.restaurantName} what="픽업지" />
      <div className="actions">
        <button type="button" className="primary" disabled={busy || expired} onClick={props.onAccept}>
          수락
        </button>
        <button type="button" disabled={busy || expired} onClick={props.onDecline}>
          거절
        </button>
      </div>
    </article>
  );
}
