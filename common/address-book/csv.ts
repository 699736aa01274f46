// CSV as Outlook, Google Contacts, Foxmail and spreadsheets write it: RFC 4180 quoting with embedded
// line breaks, and `,`, `;` (Excel in locales with a decimal comma) or tab between fields.
import { tableSource, type TableRow } from './table.js';
import type { ContactSource, WarningSink } from './types.js';

const candidateDelimiters = [',', ';', '\t'] as const;
export type CsvDelimiter = (typeof candidateDelimiters)[number];

/**
 * The delimiter that splits the first lines most consistently: counted outside quotes, summed over a
 * few lines so a title row without delimiters does not decide.
 */
export function detectDelimiter(text: string): CsvDelimiter {
  const sample = text.slice(0, 16384).split(/\r\n|\r|\n/).slice(0, 10);
  let best: CsvDelimiter = ',';
  let bestScore = 0;
  for (const delimiter of candidateDelimiters) {
    let score = 0;
    for (const line of sample) {
      let quoted = false;
      for (const char of line) {
        if (char === '"') quoted = !quoted;
        else if (char === delimiter && !quoted) score += 1;
      }
    }
    if (score > bestScore) {
      best = delimiter;
      bestScore = score;
    }
  }
  return best;
}

/** Rows with their starting line, so rejected records point at the right place in the file. */
export function parseCsv(text: string, delimiter: CsvDelimiter): TableRow[] {
  const rows: TableRow[] = [];
  let cells: string[] = [];
  let field = '';
  let quoted = false;
  let fieldStarted = false;
  let line = 1;
  let rowLine = 1;
  const endField = (): void => {
    cells.push(field);
    field = '';
    fieldStarted = false;
  };
  const endRow = (): void => {
    endField();
    rows.push({ line: rowLine, cells: cells.map((text) => ({ text })) });
    cells = [];
  };
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] ?? '';
    if (quoted) {
      if (char === '"') {
        if (text[index + 1] === '"') {
          field += '"';
          index += 1;
        } else quoted = false;
      } else {
        if (char === '\n' || (char === '\r' && text[index + 1] !== '\n')) line += 1;
        field += char;
      }
      continue;
    }
    if (char === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
    } else if (char === delimiter) endField();
    else if (char === '\r' || char === '\n') {
      if (char === '\r' && text[index + 1] === '\n') index += 1;
      endRow();
      line += 1;
      rowLine = line;
    } else {
      field += char;
      fieldStarted = true;
    }
  }
  if (field !== '' || cells.length > 0) endRow();
  return rows;
}

export function csvSource(text: string, warnings: WarningSink): ContactSource {
  return tableSource(parseCsv(text, detectDelimiter(text)), warnings);
}
