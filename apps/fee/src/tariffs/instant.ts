import { dayNumberOfDate } from './seoul-time.js';

/** `YYYY-MM-DDTHH:MM`, optional seconds with up to nine fraction digits, and a `Z` or `±HH:MM` offset. */
const INSTANT = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The instant an ISO 8601 date-time with its offset names, or undefined when `value` is not one: no offset, a
 * day the calendar lacks (`2026-02-30`), or a time out of range.
 */
export function parseInstant(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const match = INSTANT.exec(value);
  // Date.parse reads 30 February as 2 March, so the calendar date is checked on its own.
  if (!match || dayNumberOfDate(match[1]) === undefined) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
