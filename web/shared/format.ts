/** Display helpers shared by the browser apps; money is integer KRW, distances metres. */

export function won(amount: number): string {
  return `${amount.toLocaleString('ko-KR')}원`;
}

export function distance(meters: number): string {
  return meters < 1000 ? `${Math.round(meters)}m` : `${(meters / 1000).toFixed(1)}km`;
}

/** "1분 05초" / "42초" for a countdown. */
export function countdown(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  const minutes = Math.floor(s / 60);
  const rest = s % 60;
  return minutes > 0 ? `${minutes}분 ${String(rest).padStart(2, '0')}초` : `${rest}초`;
}

/** What a restaurant last said of a delivery's ready time after the order. */
export type ReadyChange = 'ready' | 'delayed' | null;

/** `12:30` in Seoul. */
export function clockTime(iso: string): string {
  return new Date(iso).toLocaleTimeString('ko-KR', { timeZone: 'Asia/Seoul', hour: '2-digit', minute: '2-digit', hour12: false });
}

/** When the food is ready, as a rider or an operator reads it: `12:30 준비 (8분 후)`, `조리 완료`, `12:40 준비 (지연)`; null when not known. */
export function readyText(readyAt: string | null, readyChange: ReadyChange, now: number): string | null {
  if (!readyAt) return null;
  if (readyChange === 'ready') return `조리 완료 (${clockTime(readyAt)})`;
  const minutes = Math.ceil((Date.parse(readyAt) - now) / 60_000);
  const when = minutes > 0 ? `${clockTime(readyAt)} 준비 (${minutes}분 후)` : `${clockTime(readyAt)} 준비됨`;
  return readyChange === 'delayed' ? `${when} · 지연` : when;
}

/** The time promised to the customer: `12:55까지`; null when the restaurant did not say. */
export function promiseText(promisedAt: string | null): string | null {
  return promisedAt ? `${clockTime(promisedAt)}까지` : null;
}
