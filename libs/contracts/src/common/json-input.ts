import type { FieldError } from './validation.js';

/**
 * How deep arrays and objects may nest in any input. The deepest real input is a tariff's zone polygon (body,
 * tariff, surcharges, zones, a zone, its polygon, a point: 7 levels), so 32 leaves room to spare while keeping
 * every recursive reader (class-transformer, JSON.stringify, our own) far from the stack's end.
 */
export const MAX_JSON_DEPTH = 32;

/** Names that reach an object's prototype when assigned, and that no field of ours has. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** How much of a refused value an error shows. */
const EXCERPT_CHARS = 40;

/** Set for NUL and every UTF-16 surrogate (paired ones included), so most strings are passed over by one test. */
const SUSPECT = /[\u0000\ud800-\udfff]/;

/**
 * The first part of a parsed JSON input that must be refused before any field rule looks at it, or null. It
 * walks arrays and objects depth first and refuses: nesting deeper than `maxDepth` (recursive readers overflow
 * the stack), a string or field name holding NUL or a lone UTF-16 surrogate (PostgreSQL refuses both in JSON,
 * and NUL in text too), `__proto__`, `constructor` or `prototype` as a field name, and a number too large to be
 * represented (`1e400` parses as Infinity). The error names the field as `items[0].options.name` and shows a
 * short excerpt of the value that can always be sent back as JSON.
 */
export function jsonInputProblem(value: unknown, options: { maxDepth?: number } = {}): FieldError | null {
  const found = walk(value, 1, options.maxDepth ?? MAX_JSON_DEPTH);
  if (!found) return null;
  const field = found.path.reduceRight<string>((parent, key) => (typeof key === 'number' ? `${parent}[${key}]` : fieldPath(parent, key)), '');
  return { field: field || '(body)', value: excerpt(found.value), reason: found.reason };
}

/** A problem with the path to it, innermost key first: the path is only built for input that has one. */
interface Found {
  path: Array<string | number>;
  value: unknown;
  reason: string;
}

function walk(value: unknown, depth: number, maxDepth: number): Found | null {
  if (typeof value === 'string') return textProblem(value, 'the text');
  if (typeof value === 'number') return Number.isFinite(value) ? null : found(value, 'is a number too large to be represented (beyond ±1.8e308)');
  if (value === null || typeof value !== 'object') return null;
  if (depth > maxDepth) return found(value, `nests arrays and objects more than ${maxDepth} levels deep`);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const inner = walk(value[i], depth + 1, maxDepth);
      if (inner) return within(inner, i);
    }
    return null;
  }
  for (const key of Object.keys(value)) {
    const child = (value as Record<string, unknown>)[key];
    if (RESERVED_KEYS.has(key)) return within(found(child, `is not allowed as a field name (${[...RESERVED_KEYS].join(', ')} never are)`), key);
    const badKey = textProblem(key, 'the field name');
    if (badKey) return within({ ...badKey, value: child }, key);
    const inner = walk(child, depth + 1, maxDepth);
    if (inner) return within(inner, key);
  }
  return null;
}

const found = (value: unknown, reason: string): Found => ({ path: [], value, reason });

function within(inner: Found, key: string | number): Found {
  inner.path.push(key);
  return inner;
}

/** NUL or a lone surrogate in a string: what, and at which character (counted in Unicode characters, from 0). */
function textProblem(text: string, what: string): Found | null {
  if (!SUSPECT.test(text)) return null;
  for (let i = 0, position = 0; i < text.length; i++, position++) {
    const unit = text.charCodeAt(i);
    if (unit === 0) return found(text, `${what} contains NUL (U+0000) at character ${position}, which cannot be stored`);
    if (unit < 0xd800 || unit > 0xdfff) continue;
    const next = text.charCodeAt(i + 1);
    if (unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      i++;
      continue;
    }
    const hex = unit.toString(16).toUpperCase();
    return found(text, `${what} contains a lone UTF-16 surrogate (U+${hex}) at character ${position}: text must be well-formed Unicode`);
  }
  return null;
}

/** `a.b`, `a[0]`, and `a["x.y"]` for a name that would read ambiguously (or hides NUL or a surrogate). */
function fieldPath(parent: string, key: string): string {
  if (/^[^.[\]"\\\u0000-\u001f\ud800-\udfff]+$/.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${JSON.stringify(key)}]`;
}

/**
 * At most EXCERPT_CHARS of a value, safe to send back as JSON: a string cut short, a container sketched as text
 * (`[[[[[…`) without walking more of it than shown, NUL and lone surrogates shown as U+FFFD.
 */
export function excerpt(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string') return printable(value.length > EXCERPT_CHARS ? `${value.slice(0, EXCERPT_CHARS)}…` : value);
  if (value === null || typeof value !== 'object') return value;
  const text = sketch(value, EXCERPT_CHARS + 1);
  return printable(text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text);
}

/** JSON-like text of a value, stopping once `budget` characters are written; each level writes one, so depth is bounded. */
function sketch(value: unknown, budget: number): string {
  if (value === null || typeof value !== 'object') return (JSON.stringify(value) ?? 'null').slice(0, budget);
  const array = Array.isArray(value);
  const keys = array ? null : Object.keys(value);
  const length = array ? value.length : keys!.length;
  let text = array ? '[' : '{';
  for (let i = 0; i < length && text.length < budget; i++) {
    if (i > 0) text += ',';
    if (keys) text += `${JSON.stringify(keys[i])}:`;
    const item = keys ? (value as Record<string, unknown>)[keys[i]] : (value as unknown[])[i];
    text += sketch(item, budget - text.length);
  }
  return text.length >= budget ? text.slice(0, budget) : text + (array ? ']' : '}');
}

/** NUL and lone surrogates replaced by U+FFFD, so an excerpt never carries what it was refused for. */
function printable(text: string): string {
  return SUSPECT.test(text) ? text.replace(/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd') : text;
}
