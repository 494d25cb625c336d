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
