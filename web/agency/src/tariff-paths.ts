import type { FieldError, Tariff } from './types';

/** `surcharges.peak[0].from` → `['surcharges', 'peak', 0, 'from']`. */
export function parsePath(path: string): Array<string | number> {
  const parts: Array<string | number> = [];
  for (const segment of path.split('.')) {
    const match = /^([^[]*)((?:\[\d+\])*)$/.exec(segment);
    if (!match) {
      parts.push(segment);
      continue;
    }
    if (match[1]) parts.push(match[1]);
    for (const index of match[2].matchAll(/\[(\d+)\]/g)) parts.push(Number(index[1]));
  }
  return parts;
}

export function getAt(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const key of parsePath(path)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/**
 * A copy of `tariff` with `value` at `path`, creating objects and arrays on the way; `undefined` removes the key
 * (an optional field left empty).
 */
export function setAt(tariff: Tariff, path: string, value: unknown): Tariff {
  const keys = parsePath(path);
  const write = (node: unknown, i: number): unknown => {
    const key = keys[i];
    const copy: Record<string | number, unknown> | unknown[] = Array.isArray(node) ? [...node] : node && typeof node === 'object' ? { ...(node as object) } : typeof key === 'number' ? [] : {};
    const target = copy as Record<string | number, unknown>;
    if (i === keys.length - 1) {
      if (value === undefined && !Array.isArray(copy)) delete target[key];
      else target[key] = value;
    } else {
      target[key] = write(target[key], i + 1);
    }
    return copy;
  };
  return write(tariff, 0) as Tariff;
}

/** Fee names fields from the request body (`tariff.surcharges.night.from`); the form names them from the tariff. */
export function tariffField(error: FieldError): string {
  return error.field.replace(/^tariff\.?/, '');
}

/**
 * Hands each field error to the first input that claims it, in the order inputs render, so every error appears
 * once: beside its field when the form has one, else in the list of the rest (shown with the JSON editor).
 */
export class ErrorRouter {
  private readonly claimed = new Set<FieldError>();

  constructor(private readonly errors: FieldError[]) {}

  /** Errors naming exactly `path`. */
  at(path: string): FieldError[] {
    return this.claim((field) => field === path);
  }

  /** Errors naming `path` or anything inside it not claimed yet (a row or group of the form). */
  within(path: string): FieldError[] {
    return this.claim((field) => field === path || field.startsWith(`${path}.`) || field.startsWith(`${path}[`));
  }

  rest(): FieldError[] {
    return this.errors.filter((e) => !this.claimed.has(e));
  }

  private claim(matches: (field: string) => boolean): FieldError[] {
    const found = this.errors.filter((e) => !this.claimed.has(e) && matches(tariffField(e)));
    for (const e of found) this.claimed.add(e);
    return found;
  }
}
