import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { jsonInputProblem } from './json-input.js';
import { firstNonObject, ONE_OBJECT, ONLY_OBJECTS } from './nested.js';

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

/**
 * class-validator's errors as one entry per field, its reasons joined once each. A field that is not the object
 * it should be (see Nested) is reported alone, without what its insides would be missing; a list's entry that is
 * not an object is reported as that entry.
 */
function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = fieldPath(parent, error.property);
    const { [ONLY_OBJECTS]: entryNotObject, ...constraints } = error.constraints ?? {};
    const reasons = [...new Set(Object.values(constraints))];
    const own: FieldError[] = reasons.length > 0 ? [{ field, value: error.value, reason: reasons.join('; ') }] : [];
    if (entryNotObject) {
      const index = firstNonObject(error.value);
      own.push({ field: `${field}[${index}]`, value: (error.value as unknown[])[index], reason: entryNotObject });
    }
    return entryNotObject || constraints[ONE_OBJECT] ? own : own.concat(flatten(error.children ?? [], field));
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
 * are dropped, so a newer sender does not break an older receiver. Input that class-transformer or PostgreSQL
 * cannot take (see jsonInputProblem) is refused before either sees it.
 */
export function validateContract<T extends object>(type: ClassConstructor<T> & ReadsPlain<T>, plain: unknown): Validated<T> {
  const problem = jsonInputProblem(plain);
  if (problem) return { ok: false, errors: [problem] };
  const fast = type.plain?.(plain);
  return fast ? { ok: true, value: fast } : transformAndValidate(type, plain);
}

/** `validateContract` without the class's own reading: always class-transformer and class-validator. */
export function validateFully<T extends object>(type: ClassConstructor<T>, plain: unknown): Validated<T> {
  const problem = jsonInputProblem(plain);
  return problem ? { ok: false, errors: [problem] } : transformAndValidate(type, plain);
}

function transformAndValidate<T extends object>(type: ClassConstructor<T>, plain: unknown): Validated<T> {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    return { ok: false, errors: [{ field: '(body)', value: plain, reason: 'must be a JSON object' }] };
  }
  const instance = plainToInstance(type, plain, { enableImplicitConversion: false });
  const errors = validateSync(instance, { whitelist: true, forbidUnknownValues: true, validationError: { target: false } });
  return errors.length === 0 ? { ok: true, value: instance } : { ok: false, errors: flatten(errors) };
}
