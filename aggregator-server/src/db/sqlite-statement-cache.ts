import type SqliteDatabase from 'better-sqlite3';
import type { SqliteDatabase as KyselySqliteDatabase, SqliteStatement } from 'kysely';

/**
 * Kysely prepares every query afresh, and for SQLite preparing costs more than running most of our
 * statements: in a profile of the message benchmark, `prepare` took a quarter of the server's CPU. The
 * same SQL text gets its prepared statement back instead. The queries the code builds are few, so a
 * small least-recently-used map holds them all; lists of varying length only cycle through it.
 */
export function withStatementCache(database: SqliteDatabase.Database, capacity = 500): KyselySqliteDatabase & { readonly cachedStatements: number } {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => database.close(),
    get cachedStatements() {
      return statements.size;
    },
    prepare(text: string): SqliteStatement {
      const known = statements.get(text);
      // A statement still walking an iterator (a streamed select) cannot run twice at once: take a fresh one.
      if (known !== undefined && !known.busy) {
        statements.delete(text);
        statements.set(text, known);
        return known;
      }
      const statement = database.prepare(text);
      if (known === undefined) {
        statements.set(text, statement);
        if (statements.size > capacity) statements.delete(statements.keys().next().value as string);
      }
      return statement;
    },
  };
}
