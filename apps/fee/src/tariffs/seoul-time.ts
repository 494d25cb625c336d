import type { Weekday } from './tariff.js';

/**
 * Asia/Seoul has been UTC+9 without daylight saving since 1988, so a fixed offset and the getUTC* family give
 * Seoul wall-clock time exactly, without the cost of Intl time-zone lookups on every quote.
 */
const SEOUL_OFFSET_MS = 9 * 60 * 60 * 1000;
const MS_PER_MINUTE = 60 * 1000;
const MS_PER_DAY = 24 * 60 * MS_PER_MINUTE;
export const MINUTES_PER_DAY = 24 * 60;

/** In `Date.getUTCDay()` order, so a day number maps to its weekday without a lookup table per call. */
export const WEEKDAYS_FROM_SUNDAY: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** Whole days since 1970-01-01 in Seoul: equal for two instants exactly when they fall on the same Seoul date. */
export function seoulDayNumber(epochMs: number): number {
  return Math.floor((epochMs + SEOUL_OFFSET_MS) / MS_PER_DAY);
}

export function seoulMinuteOfDay(epochMs: number): number {
  const sinceMidnight = (epochMs + SEOUL_OFFSET_MS) % MS_PER_DAY;
  // `%` keeps the sign of the dividend, so instants before 1970 need the day added back.
  return Math.floor((sinceMidnight < 0 ? sinceMidnight + MS_PER_DAY : sinceMidnight) / MS_PER_MINUTE);
}

/** 0 for Sunday … 6 for Saturday, as `Date.getUTCDay()`; 1970-01-01 was a Thursday. */
export function weekdayIndexOfDay(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7;
}

/** The day number of a `YYYY-MM-DD` calendar date, or undefined when it is not a real date (`2026-02-30`). */
export function dayNumberOfDate(date: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  // Date.UTC rolls 30 February over into March; a real date survives the round trip unchanged.
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return undefined;
  return ms / MS_PER_DAY;
}

/** The Seoul calendar date, minute of the day (0–1439) and weekday of an instant. */
export function seoulClock(at: Date): { date: string; minuteOfDay: number; weekday: Weekday } {
  const ms = at.getTime();
  const day = seoulDayNumber(ms);
  return {
    date: new Date(day * MS_PER_DAY).toISOString().slice(0, 10),
    minuteOfDay: seoulMinuteOfDay(ms),
    weekday: WEEKDAYS_FROM_SUNDAY[weekdayIndexOfDay(day)],
  };
}

/**
 * The minute of the day of an `HH:MM` time (`00:00`–`23:59`), or undefined when it is not one. As the end of a
 * window, `24:00` is also accepted and means the end of the day (1440), so a window can run up to midnight.
 */
export function parseClock(text: string, role: 'start' | 'end' = 'start'): number | undefined {
  if (role === 'end' && text === '24:00') return MINUTES_PER_DAY;
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}
