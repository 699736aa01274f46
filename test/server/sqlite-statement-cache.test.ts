import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { withStatementCache } from '#server/db/sqlite-statement-cache.js';

describe('the SQLite statement cache', () => {
  it('gives the same SQL its prepared statement back, and forgets the least recently used past its size', () => {
    const cached = withStatementCache(new Database(':memory:'), 2);
    const first = cached.prepare('select 1 as one');
    expect(cached.prepare('select 1 as one')).toBe(first);
    cached.prepare('select 2 as two');
    cached.prepare('select 1 as one'); // used again: now the most recent
    cached.prepare('select 3 as three');
    expect(cached.cachedStatements).toBe(2);
    expect(cached.prepare('select 1 as one')).toBe(first);
    cached.close();
  });

  it('prepares a fresh statement while the cached one is still iterating', () => {
    const database = new Database(':memory:');
    const cached = withStatementCache(database);
    database.exec('create table t (n integer); insert into t values (1), (2), (3)');
    const outer = cached.prepare('select n from t order by n');
    const seen: number[] = [];
    for (const row of outer.iterate([]) as Iterable<{ n: number }>) {
      // The same text, asked for while `outer` is busy, must still run.
      seen.push(row.n, (cached.prepare('select n from t order by n').all([]) as { n: number }[]).length);
    }
    expect(seen).toEqual([1, 3, 2, 3, 3, 3]);
    cached.close();
  });

  it('sees schema changes made after a statement was cached, through Kysely', async () => {
    const db = new Kysely<Record<string, Record<string, unknown>>>({ dialect: new SqliteDialect({ database: withStatementCache(new Database(':memory:')) }) });
    await sql`create table people (name text)`.execute(db);
    await sql`insert into people values ('Ana')`.execute(db);
    expect((await sql`select * from people`.execute(db)).rows).toEqual([{ name: 'Ana' }]);
    await sql`alter table people add column phone text`.execute(db);
    expect((await sql`select * from people`.execute(db)).rows).toEqual([{ name: 'Ana', phone: null }]);
    // A transaction's begin and commit go through the cache too, and still work twice over.
    for (const name of ['Bo', 'Cy']) await db.transaction().execute((trx) => sql`insert into people (name) values (${name})`.execute(trx));
    expect((await sql`select count(*) as n from people`.execute(db)).rows).toEqual([{ n: 3 }]);
    await db.destroy();
  });
});
