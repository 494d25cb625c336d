/** Lists this long or longer are written item by item (and an object holding one, field by field). */
const LONG_LIST = 16;

/** Lists and objects down to this depth are written part by part; anything deeper is one `JSON.stringify`. */
const SPLIT_DEPTH = 3;

/** Most bytes one UTF-16 code unit takes in UTF-8 (a surrogate pair: 4 bytes for 2 units). */
const MAX_BYTES_PER_UNIT = 3;

/**
 * Where long JSON is encoded before it is copied out at its exact size: reused by every call, which runs to the
 * end without yielding (a call made meanwhile by some `toJSON` gets a buffer of its own). It grows to the longest
 * text written.
 */
let scratch = Buffer.allocUnsafe(256 * 1024);
let scratchInUse = false;

/**
 * `Buffer.from(JSON.stringify(value))`, byte for byte, without the whole text ever being one string: a long list
 * is encoded item by item into a reused buffer, then copied out once. A long answer as one string is the costly
 * part of writing it: once it holds a single Korean character V8 keeps it at two bytes a character, and past
 * 128 kB it is a large object, allocated on pages of its own and copied again before it can be encoded; pieces
 * gathered into strings of their own leave more garbage behind. A batch of 100 quotes (95,000 characters) costs
 * ~1,400 µs as one string and ~750 µs this way. Only long lists (LONG_LIST items or more, at the top or in a
 * field of the top object, down to SPLIT_DEPTH) are taken apart; anything else is one `JSON.stringify`, cheaper
 * for small values. `undefined` (or a function) at the top gives no bytes, as `JSON.stringify` gives no text.
 * `prefix` bytes, if given, come first.
 */
export function jsonUtf8(value: unknown, prefix?: Uint8Array): Buffer {
  if (!worthSplitting(value)) {
    const text = (JSON.stringify(value) as string | undefined) ?? '';
    return prefix ? Buffer.concat([prefix, Buffer.from(text)]) : Buffer.from(text);
  }
  const own = scratchInUse;
  let buffer = own ? Buffer.allocUnsafe(scratch.length) : scratch;
  scratchInUse = true;
  let length = 0;
  const put = (text: string) => {
    if (length + text.length * MAX_BYTES_PER_UNIT > buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * buffer.length, length + text.length * MAX_BYTES_PER_UNIT));
      buffer.copy(grown, 0, 0, length);
      buffer = grown;
      if (!own) scratch = grown;
    }
    length += buffer.write(text, length);
  };
  const write = (item: unknown, depth: number, inList: boolean): void => {
    if (depth < SPLIT_DEPTH && worthSplitting(item)) {
      if (Array.isArray(item)) {
        put('[');
        for (let i = 0; i < item.length; i++) {
          if (i > 0) put(',');
          write(item[i], depth + 1, true);
        }
        put(']');
        return;
      }
      put('{');
      let first = true;
      for (const key of Object.keys(item)) {
        const field = (item as Record<string, unknown>)[key];
        if (field === undefined || typeof field === 'function' || typeof field === 'symbol') continue; // left out, as JSON.stringify does
        put(first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
        first = false;
        write(field, depth + 1, false);
      }
      put('}');
      return;
    }
    const text = JSON.stringify(item) as string | undefined;
    put(text === undefined && inList ? 'null' : (text as string));
  };
  try {
    if (prefix) {
      buffer.set(prefix, 0);
      length = prefix.length;
    }
    write(value, 0, false);
    return Buffer.from(buffer.subarray(0, length));
  } finally {
    if (!own) scratchInUse = false;
  }
}

/** A long list, or a plain object (one JSON.stringify writes field by field, having no `toJSON`) holding one. */
function worthSplitting(value: unknown): value is object {
  if (Array.isArray(value)) return value.length >= LONG_LIST;
  if (value === null || typeof value !== 'object' || typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return false;
  // Asked of every item of a long list: a loop, not Object.values, so asking allocates nothing.
  for (const key in value) {
    const field = (value as Record<string, unknown>)[key];
    if (Array.isArray(field) && field.length >= LONG_LIST) return true;
  }
  return false;
}
