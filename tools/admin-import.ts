import type { FieldError } from '#contracts';
import { DomainError, parseCsv } from '#platform';
import { checkRiderInput, provisionRiders } from '../apps/dispatch/src/riders/riders.provisioning.js';
import type { RestaurantAdmin } from '../apps/order-intake/src/restaurant-admin/restaurant-admin.js';
import type { ServiceDataSources } from './service-databases.js';

/** One problem with one row of an imported file; `line` is where the row starts in the file (the header is line 1). */
export interface RowError {
  line: number;
  field: string;
  value: unknown;
  reason: string;
}

export type ImportKind = 'riders' | 'restaurants';

const COLUMNS: Record<ImportKind, { required: string[]; optional: string[] }> = {
  riders: { required: ['name'], optional: ['capacity'] },
  restaurants: { required: ['name', 'address', 'lng', 'lat'], optional: ['callbackUrl', 'defaultCookingMinutes'] },
};

const NUMERIC = new Set(['capacity', 'lng', 'lat', 'defaultCookingMinutes']);

interface Row {
  line: number;
  fields: Record<string, unknown>;
}

/**
 * The file's rows as fields by column, or every problem with its shape: a broken quote, an unknown, missing or
 * repeated column, a row whose field count is not the header's. Numbers are read as numbers where they are
 * numbers; anything else is passed on as text for the field's own check to name.
 */
function readRows(kind: ImportKind, text: string): { rows: Row[]; errors: RowError[] } {
  let records;
  try {
    records = parseCsv(text);
  } catch (error) {
    const [, line, reason] = /^line (\d+): (.*)$/.exec((error as Error).message) ?? [undefined, '1', (error as Error).message];
    return { rows: [], errors: [{ line: Number(line), field: '', value: null, reason: reason! }] };
  }
  const [header, ...data] = records;
  if (!header) return { rows: [], errors: [{ line: 1, field: '', value: null, reason: 'the file is empty: a header row is needed' }] };
  const { required, optional } = COLUMNS[kind];
  const names = header.fields.map((name) => name.trim());
  const errors: RowError[] = [];
  names.forEach((name, i) => {
    if (![...required, ...optional].includes(name)) errors.push({ line: header.line, field: name, value: name, reason: `unknown column: the columns are ${[...required, ...optional].join(', ')}` });
    else if (names.indexOf(name) !== i) errors.push({ line: header.line, field: name, value: name, reason: 'column given twice' });
  });
  for (const name of required) if (!names.includes(name)) errors.push({ line: header.line, field: name, value: null, reason: 'column is missing' });
  if (data.length === 0) errors.push({ line: header.line, field: '', value: null, reason: 'no rows after the header' });
  if (errors.length > 0) return { rows: [], errors };
  const rows: Row[] = [];
  for (const record of data) {
    if (record.fields.length !== names.length) {
      errors.push({ line: record.line, field: '', value: record.fields.length, reason: `has ${record.fields.length} fields, the header has ${names.length}` });
      continue;
    }
    const fields: Record<string, unknown> = {};
    names.forEach((name, i) => {
      const raw = record.fields[i]!.trim();
      if (raw === '' && optional.includes(name)) return;
      fields[name] = NUMERIC.has(name) && raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    });
    rows.push({ line: record.line, fields });
  }
  return { rows, errors };
}

const rowErrors = (line: number, problems: FieldError[]): RowError[] =>
  problems.map((p) => ({ line, field: p.field, value: p.value ?? null, reason: p.reason }));

/** The problems in the file's order (a stable sort keeps a row's own in the order its fields were checked). */
const byLine = (errors: RowError[]) => [...errors].sort((a, b) => a.line - b.line);

export type ImportResult = { ok: true; dryRun: boolean; rows: number; created: object[] } | { ok: false; errors: RowError[] };

/**
 * Imports riders or restaurants of one agency from CSV text: every row is checked and every bad one reported
 * before anything is written; only when all are valid (and not `dryRun`) are they all created in one transaction,
 * each audited as created by `label`.
 */
export async function importCsv(
  databases: ServiceDataSources,
  restaurants: RestaurantAdmin,
  options: { kind: ImportKind; agencyId: string; text: string; dryRun: boolean; label: string },
): Promise<ImportResult> {
  const { kind, agencyId, text, dryRun, label } = options;
  const { rows, errors } = readRows(kind, text);
  if (kind === 'riders') {
    const riders = [];
    for (const row of rows) {
      const checked = checkRiderInput({ name: row.fields.name, capacity: row.fields.capacity });
      if (checked.ok) riders.push(checked.rider);
      else errors.push(...rowErrors(row.line, checked.problems));
    }
    if (errors.length > 0) return { ok: false, errors: byLine(errors) };
    const created = dryRun ? [] : await provisionRiders(databases.dispatch, agencyId, riders, { label });
    return { ok: true, dryRun, rows: rows.length, created };
  }
  const prepared = [];
  for (const row of rows) {
    try {
      prepared.push(await restaurants.prepare(agencyId, row.fields));
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'VALIDATION_FAILED') throw error;
      errors.push(...rowErrors(row.line, error.details as FieldError[]));
    }
  }
  if (errors.length > 0) return { ok: false, errors: byLine(errors) };
  const created = dryRun ? [] : await restaurants.createAll(agencyId, { operatorId: null, label }, prepared);
  return { ok: true, dryRun, rows: rows.length, created };
}
