type Cell = string | number | null;

/** The byte order mark Excel needs to read a CSV file as UTF-8 (Hangul intact). */
export const CSV_BOM = '\ufeff';

/** What a spreadsheet would run as a formula when a cell starts with it (OWASP's CSV injection list). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One record of RFC 4180 with its CRLF: a field with a comma, quote or line break is quoted, its quotes doubled.
 * With `formulaSafe`, a text cell a spreadsheet would take for a formula is prefixed with `'` (numbers stay numbers).
 */
export function csvRecord(row: ReadonlyArray<Cell>, options: { formulaSafe?: boolean } = {}): string {
  return row.map((value) => field(value, options.formulaSafe ?? false)).join(',') + '\r\n';
}

/** A whole RFC 4180 document: the header, then the rows, every record ending with CRLF. */
export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<Cell>>): string {
  return [header, ...rows].map((row) => csvRecord(row)).join('');
}

function field(value: Cell, formulaSafe: boolean): string {
  let text = value === null ? '' : String(value);
  if (formulaSafe && typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record read from a CSV file, with the line it starts on (1 for the first line of the file). */
export interface CsvRow {
  line: number;
  fields: string[];
}

/**
 * Reads RFC 4180 text (a UTF-8 BOM, CRLF or LF line ends, quoted fields with doubled quotes and line breaks).
 * Blank lines are skipped. Throws naming the line of a quote that is never closed or text after a closing quote.
 */
export function parseCsv(text: string): CsvRow[] {
  const input = text.startsWith(CSV_BOM) ? text.slice(1) : text;
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let current = '';
  let line = 1;
  let start = 1;
  let quoted = false;
  let afterQuote = false;
  const endRecord = () => {
    fields.push(current);
    if (!(fields.length === 1 && fields[0] === '' && !afterQuote)) rows.push({ line: start, fields });
    fields = [];
    current = '';
    afterQuote = false;
  };
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (quoted) {
      if (c === '"' && input[i + 1] === '"') (current += '"'), i++;
      else if (c === '"') (quoted = false), (afterQuote = true);
      else {
        if (c === '\n') line++;
        current += c;
      }
    } else if (c === '"' && current === '' && !afterQuote) {
      quoted = true;
    } else if (c === ',') {
      fields.push(current);
      current = '';
      afterQuote = false;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && input[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else if (afterQuote) {
      throw new Error(`line ${line}: text after a closing quote`);
    } else {
      current += c;
    }
  }
  if (quoted) throw new Error(`line ${start}: a quoted field is never closed`);
  if (current !== '' || fields.length > 0 || afterQuote) endRecord();
  return rows;
}
