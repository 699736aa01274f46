/**
 * Splits rows so that no statement exceeds the bound-parameter limits: 32,766 in SQLite (3.32+) and
 * 65,535 in PostgreSQL. Fewer, larger statements matter: a 10,000-entry address book is one round trip
 * per table instead of twenty.
 */
const maxParameters = 30_000;

export function chunks<T>(rows: readonly T[], parametersPerRow = 1): T[][] {
  const size = Math.max(1, Math.floor(maxParameters / parametersPerRow));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
