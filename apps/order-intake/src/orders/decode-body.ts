import { isUtf8 } from 'node:buffer';
import type { ClassConstructor } from 'class-transformer';
import { jsonInputProblem, validateContract, type Validated } from '#contracts';
import { DomainError } from '#platform';

type Decoded<T> = { ok: true; value: T } | { ok: false; error: DomainError };

/**
 * A raw request body as a valid `type`, or the 400 to answer: INVALID_JSON (bytes that are not UTF-8 are refused
 * rather than read as U+FFFD, which would store something other than what was signed), or VALIDATION_FAILED
 * naming the input no reader should see (see jsonInputProblem) or listing every bad field. `validate` replaces
 * the class's own rules where a body has more (an order's dropoff coordinates).
 */
export function decodeBody<T extends object>(
  type: ClassConstructor<T>,
  body: Buffer,
  validate: (plain: unknown) => Validated<T> = (plain) => validateContract(type, plain),
): Decoded<T> {
  if (!isUtf8(body)) return { ok: false, error: new DomainError('INVALID_JSON', 'the body is not valid UTF-8, which JSON must be') };
  let plain: unknown;
  try {
    plain = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return { ok: false, error: new DomainError('INVALID_JSON', `the body is not JSON: ${(error as Error).message}`) };
  }
  const problem = jsonInputProblem(plain);
  if (problem) return { ok: false, error: DomainError.validation([problem]) };
  const validated = validate(plain);
  return validated.ok ? validated : { ok: false, error: DomainError.validation(validated.errors) };
}
