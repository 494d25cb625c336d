import type { FieldError } from '#contracts';
import { isInstant } from './dto/field-rules.js';

/** The longest cooking time a restaurant may give, in minutes (also the bound on how far ahead `readyAt` may be). */
export const MAX_COOKING_MINUTES = 240;
/** The furthest a promise may lie ahead of acceptance, in minutes. */
export const MAX_PROMISE_MINUTES = 360;
/** How far in the past a sent instant may be: the sender's clock and ours differ, and "ready at 12:30" may arrive at 12:31. */
export const PAST_SKEW_MINUTES = 5;

const MINUTE_MS = 60_000;

/** The timing fields of an order body, once their shapes are checked. */
export interface TimingFields {
  cookingMinutes?: number;
  readyAt?: string;
  promisedMinutes?: number;
  promisedAt?: string;
}

/** When an order's food is ready and when it was promised. */
export interface OrderTimes {
  readyAt: Date;
  promisedAt: Date | null;
}

const given = (value: unknown) => value !== undefined && value !== null;

/**
 * Rules across the timing fields, which a field's own rule cannot see: a time is sent one way or the other, not
 * both; an instant lies neither in the past (beyond a small skew) nor too far ahead of `now`; and a promise
 * comes no earlier than the ready time it was sent with. Fields whose own shape is wrong are left to their rule.
 */
export function timingErrors(plain: unknown, now: Date): FieldError[] {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) return [];
  const body = plain as Record<string, unknown>;
  const errors: FieldError[] = [];
  const both = (minutes: string, instant: string) => {
    if (given(body[minutes]) && given(body[instant])) {
      errors.push({ field: instant, value: body[instant], reason: `cannot be sent together with ${minutes} (${String(body[minutes])}): send one` });
    }
  };
  both('cookingMinutes', 'readyAt');
  both('promisedMinutes', 'promisedAt');
  const bounded = (field: string, maxMinutes: number) => {
    const value = body[field];
    if (!isInstant(value)) return;
    if (Date.parse(value) < now.getTime() - PAST_SKEW_MINUTES * MINUTE_MS) {
      errors.push({ field, value, reason: `is in the past: at most ${PAST_SKEW_MINUTES} minutes before the server's clock allowed` });
    } else if (Date.parse(value) > now.getTime() + maxMinutes * MINUTE_MS) {
      errors.push({ field, value, reason: `is too far ahead: at most ${maxMinutes} minutes after the server's clock allowed` });
    }
  };
  bounded('readyAt', MAX_COOKING_MINUTES);
  bounded('promisedAt', MAX_PROMISE_MINUTES);
  if (errors.length === 0) errors.push(...promiseBeforeReady(body, now));
  return errors;
}

/** A promise earlier than the ready time sent with it cannot be kept; said of the promise's field. */
function promiseBeforeReady(body: Record<string, unknown>, now: Date): FieldError[] {
  const minutes = (value: unknown) => (Number.isSafeInteger(value) ? (value as number) : undefined);
  const at = (field: string, offsetField: string): number | undefined => {
    if (isInstant(body[field])) return Date.parse(body[field] as string);
    const offset = minutes(body[offsetField]);
    return offset === undefined ? undefined : now.getTime() + offset * MINUTE_MS;
  };
  const ready = at('readyAt', 'cookingMinutes');
  const promised = at('promisedAt', 'promisedMinutes');
  if (ready === undefined || promised === undefined || promised >= ready) return [];
  const field = given(body.promisedAt) ? 'promisedAt' : 'promisedMinutes';
  return [{ field, value: body[field], reason: `is before the food is ready (${new Date(ready).toISOString()}): a promise cannot be earlier than the ready time` }];
}

/**
 * The ready and promised times of an order accepted at `acceptedAt`: as sent, or the restaurant's usual cooking
 * time (else the system's) from acceptance. Call with fields `timingErrors` passed.
 */
export function orderTimes(fields: TimingFields, acceptedAt: Date, defaultCookingMinutes: number): OrderTimes {
  const after = (minutes: number) => new Date(acceptedAt.getTime() + minutes * MINUTE_MS);
  const readyAt = fields.readyAt ? new Date(fields.readyAt) : after(fields.cookingMinutes ?? defaultCookingMinutes);
  const promisedAt = fields.promisedAt ? new Date(fields.promisedAt) : fields.promisedMinutes !== undefined ? after(fields.promisedMinutes) : null;
  return { readyAt, promisedAt };
}
