import type { DeliveryStatus, RiderState } from './types';

export const STATUS_LABEL: Record<DeliveryStatus, string> = {
  pending: '대기',
  offered: '제안 중',
  assigned: '배정',
  picked_up: '픽업',
  delivered: '완료',
  cancelled: '취소',
  failed: '실패',
};

export const STATUSES: DeliveryStatus[] = ['pending', 'offered', 'assigned', 'picked_up', 'delivered', 'cancelled', 'failed'];

export const RIDER_STATE_LABEL: Record<RiderState, string> = {
  online: '운행 중',
  on_break: '휴식',
  silent: '응답 없음',
  offline: '오프라인',
};

/** `42초`, `3분 5초`, `1시간 2분`. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}초`;
  if (s < 3600) return `${Math.floor(s / 60)}분 ${s % 60}초`;
  return `${Math.floor(s / 3600)}시간 ${Math.floor((s % 3600) / 60)}분`;
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** A date-time in Seoul, e.g. `11. 22. 15:04`. */
export function seoulTime(iso: string): string {
  return new Date(iso).toLocaleString('ko-KR', { timeZone: 'Asia/Seoul', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
}

/** `datetime-local` (Seoul, as the operator reads it) to ISO; empty stays unset. */
export const seoulIso = (local: string) => (local ? new Date(`${local}:00+09:00`).toISOString() : '');

/** A date-time in Seoul to the second, e.g. `11. 22. 15:04:05`: when a replaced key stops working. */
export function seoulTimeSeconds(iso: string): string {
  return new Date(iso).toLocaleString('ko-KR', { timeZone: 'Asia/Seoul', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}
