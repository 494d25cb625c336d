import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

/** One problem with one field of an input, as clients see it. */
export interface FieldError {
  field: string;
  value: unknown;
  reason: string;
}

function fieldPath(parent: string, property: string): string {
  if (/^\d+$/.test(property)) return `${parent}[${property}]`;
  return parent ? `${parent}.${property}` : property;
}

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = fieldPath(parent, error.property);
    const own = error.constraints
      ? [{ field, value: error.value, reason: Object.values(error.constraints).join('; ') }]
      : [];
    return own.concat(flatten(error.children ?? [], field));
  });
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/**
 * A contract class may read its usual input itself (`static plain(value)`), with the same checks but without the
 * class-transformer and class-validator pass that costs a hot path more than its work: the instance the full
 * validation would give, or undefined for anything else, which then goes through the full validation.
 */
export interface ReadsPlain<T> {
  plain?(value: unknown): T | undefined;
}

/**
 * Turns a plain object into a validated instance of a contract class, or lists every bad field. Unknown fields
 * are dropped, so a newer sender does not break an older receiver.
 */
export function validateContract<T extends object>(type: ClassConstructor<T> & ReadsPlain<T>, plain: unknown): Validated<T> {
  const fast = type.plain?.(plain);
  return fast ? { ok: true, value: fast } : validateFully(type, plain);
}

/** `validateContract` without the class's own reading: always class-transformer and class-validator. */
export function validateFully<T extends object>(type: ClassConstructor<T>, plain: unknown): Validated<T> {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    return { ok: false, errors: [{ field: '(body)', value: plain, reason: 'must be a JSON object' }] };
  }
  const instance = plainToInstance(type, plain, { enableImplicitConversion: false });
  const errors = validateSync(instance, { whitelist: true, forbidUnknownValues: true, validationError: { target: false } });
  return errors.length === 0 ? { ok: true, value: instance } : { ok: false, errors: flatten(errors) };
}
