import { useCallback } from 'react';
import { ApiError, describeError, type AgencyApi } from './api';
import { seoulTime } from './format';
import type { FeeHealth, ProviderHealth as Provider, ReconciliationStatus } from './types';
import { usePolling } from './use-polling';

const STATE_LABEL: Record<Provider['state'], string> = { closed: '정상', half_open: '시험 중', open: '차단', no_credentials: '키 없음' };
const PROVIDER_LABEL: Record<string, string> = { kakao: '카카오', naver: '네이버', turf: '추정(Turf)' };
const CAPABILITY_LABEL: Record<Provider['capability'], string> = { routing: '경로', geocoding: '주소 변환' };
/** Outcomes of calls where the provider failed (libs/maps' CallOutcome); trip problems are answers, not failures. */
const FAILURES = ['timeout', 'unavailable', 'malformed', 'bad_credentials', 'rate_limited'];
/** Calls the chain did not make (SkipOutcome), rate limits aside: they are counted above. */
const SKIPS = ['breaker_open', 'busy', 'deadline', 'superseded'];

interface FeeView {
  health?: FeeHealth;
  reconciliation?: ReconciliationStatus;
  /** Set when fee (or the proxy to it) did not answer. */
  down?: string;
}

/**
 * The map providers as fee sees them (its /health through dispatch's proxy): each breaker, how often it failed or
 * was skipped, how many quotes fell back to the estimate, and the estimated fees awaiting reconciliation.
 */
export function ProviderHealthPanel({ api }: { api: AgencyApi }) {
  const load = useCallback(async (): Promise<FeeView> => {
    const [health, reconciliation] = await Promise.allSettled([api.feeHealth<FeeHealth>(), api.fee<ReconciliationStatus>('GET', '/reconciliation')]);
    const failed = [health, reconciliation].find((r): r is PromiseRejectedResult => r.status === 'rejected');
    const unavailable = failed && (!(failed.reason instanceof ApiError) || failed.reason.feeUnavailable || failed.reason.code === 'NETWORK');
    return {
      health: health.status === 'fulfilled' ? health.value : undefined,
      reconciliation: reconciliation.status === 'fulfilled' ? reconciliation.value : undefined,
      down: unavailable ? describeError(failed.reason) : undefined,
    };
  }, [api]);
  const { data } = usePolling(load, 5000);
  const providers = data?.health?.checks.find((c) => c.name === 'map-providers')?.providers ?? [];
  const fallbacks = providers.find((p) => p.provider === 'turf' && p.capability === 'routing')?.counts.ok ?? 0;

  return (
    <section aria-labelledby="providers-title">
      <h2 id="providers-title">지도 제공자 상태</h2>
      {!data && <p>불러오는 중…</p>}
      {data?.down && (
        <p className="badge warn" role="alert">
          요금 서비스 응답 없음 <span className="muted">({data.down})</span>
        </p>
      )}
      {data?.health && (
        <p>
          요금 서비스: <strong>{data.health.status === 'ok' ? '정상' : data.health.status === 'degraded' ? '일부 장애' : '장애'}</strong> · 추정 거리로 계산한 요금{' '}
          <strong aria-label="추정 요금 대체 횟수">{fallbacks}</strong>건
        </p>
      )}
      {providers.length > 0 && (
        <table className="providers">
          <thead>
            <tr>
              <th scope="col">제공자</th>
              <th scope="col">기능</th>
              <th scope="col">차단기</th>
              <th scope="col">성공</th>
              <th scope="col">실패</th>
              <th scope="col">건너뜀</th>
              <th scope="col">최근 오류</th>
            </tr>
          </thead>
          <tbody>
            {providers.map((p) => {
              const failures = FAILURES.reduce((n, k) => n + (p.counts[k] ?? 0), 0);
              const skipped = SKIPS.reduce((n, k) => n + (p.counts[k] ?? 0), 0);
              return (
                <tr key={`${p.provider}-${p.capability}`} aria-label={`${PROVIDER_LABEL[p.provider] ?? p.provider} ${CAPABILITY_LABEL[p.capability]}`}>
                  <th scope="row">{PROVIDER_LABEL[p.provider] ?? p.provider}</th>
                  <td>{CAPABILITY_LABEL[p.capability]}</td>
                  <td className={`breaker breaker-${p.state}`}>{STATE_LABEL[p.state] ?? p.state}</td>
                  <td>{p.counts.ok ?? 0}</td>
                  <td>{failures}</td>
                  <td>{skipped}</td>
                  <td>{p.lastError ? `${p.lastError.outcome} · ${seoulTime(p.lastError.at)}` : '–'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {data?.reconciliation && (
        <p aria-label="정산 대기">
          재계산 대기 추정 요금 <strong>{data.reconciliation.pending}</strong>건
          {data.reconciliation.oldestPricedAt ? ` (가장 오래된 것 ${seoulTime(data.reconciliation.oldestPricedAt)})` : ''} · 오늘 재계산{' '}
          <strong>{data.reconciliation.adjustedToday}</strong>건
          {data.reconciliation.failing > 0 ? (
            <>
              {' '}
              · 재계산 실패 <strong>{data.reconciliation.failing}</strong>건
            </>
          ) : null}
        </p>
      )}
    </section>
  );
}
