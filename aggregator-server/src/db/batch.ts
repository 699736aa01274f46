/** Splits rows so that no statement exceeds the bound-parameter limits of SQLite or PostgreSQL. */
export function chunks<T>(rows: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
