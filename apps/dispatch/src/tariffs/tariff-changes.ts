type Json = Record<string, unknown>;

/**
 * What a tariff change changed, for the audit log: the value before and after of every field that differs, named
 * by its path (`baseFee`, `surcharges.night.amount`); a list is one field. A field added or removed is `null` on
 * the side it is missing from (so `null` and missing are the same).
 */
export function tariffChanges(before: object | null, after: object): { before: Json; after: Json } {
  const old = flatten((before ?? {}) as Json);
  const now = flatten(after as Json);
  const changed = { before: {} as Json, after: {} as Json };
  for (const path of new Set([...Object.keys(old), ...Object.keys(now)])) {
    if (JSON.stringify(old[path] ?? null) === JSON.stringify(now[path] ?? null)) continue;
    changed.before[path] = old[path] ?? null;
    changed.after[path] = now[path] ?? null;
  }
  return changed;
}

function flatten(value: Json, prefix = '', into: Json = {}): Json {
  for (const [key, field] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (field !== null && typeof field === 'object' && !Array.isArray(field)) flatten(field as Json, path, into);
    else into[path] = field;
  }
  return into;
}
