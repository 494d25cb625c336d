import type { FieldError } from '#contracts';
import { DomainError } from '#platform';
import { parseInstant } from '../tariffs/instant.js';

export type Format = 'json' | 'csv';
export type SettlementGrouping = 'restaurant' | 'rider';

/** A half-open period `[from, to)` and the answer's format. */
export interface PeriodQuery {
  from: Date;
  to: Date;
  format: Format;
}

export interface SettlementQuery extends PeriodQuery {
  by: SettlementGrouping;
}

const MAX_PERIOD_DAYS = 366;
const DAY_MS = 86_400_000;

/** Reads `from`, `to` and `format` (or `Accept: text/csv`), naming every bad parameter at once. */
export function parsePeriodQuery(query: Record<string, unknown>, accept: string | undefined): PeriodQuery {
  const errors: FieldError[] = [];
  const period = readPeriod(query, accept, errors);
  if (errors.length > 0 || !period) throw DomainError.validation(errors);
  return period;
}

/** As `parsePeriodQuery`, and `by`: restaurant or rider. */
export function parseSettlementQuery(query: Record<string, unknown>, accept: string | undefined): SettlementQuery {
  const errors: FieldError[] = [];
  const period = readPeriod(query, accept, errors);
  const by = query.by;
  if (by !== 'restaurant' && by !== 'rider') errors.push({ field: 'by', value: by, reason: by === undefined ? 'is required: restaurant or rider' : 'must be restaurant or rider' });
  if (errors.length > 0 || !period) throw DomainError.validation(errors);
  return { ...period, by: by as SettlementGrouping };
}

function readPeriod(query: Record<string, unknown>, accept: string | undefined, errors: FieldError[]): PeriodQuery | undefined {
  const from = readInstant(query, 'from', errors);
  const to = readInstant(query, 'to', errors);
  if (from && to) {
    if (from.getTime() >= to.getTime()) errors.push({ field: 'to', value: query.to, reason: 'must be after from' });
    else if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * DAY_MS) errors.push({ field: 'to', value: query.to, reason: `must be at most ${MAX_PERIOD_DAYS} days after from` });
  }
  const format = query.format ?? (/\btext\/csv\b/i.test(accept ?? '') ? 'csv' : 'json');
  if (format !== 'json' && format !== 'csv') errors.push({ field: 'format', value: query.format, reason: 'must be json or csv' });
  return from && to ? { from, to, format: format as Format } : undefined;
}

function readInstant(query: Record<string, unknown>, field: 'from' | 'to', errors: FieldError[]): Date | undefined {
  const value = query[field];
  if (value === undefined || value === '') {
    errors.push({ field, value, reason: 'is required: an ISO 8601 date-time with a time zone, e.g. 2026-11-01T00:00:00+09:00' });
    return undefined;
  }
  const date = parseInstant(value);
  if (!date) {
    errors.push({ field, value, reason: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-11-01T00:00:00+09:00' });
    return undefined;
  }
  return date;
}
