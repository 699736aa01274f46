import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { Migrator, type MigrationProvider } from 'kysely/migration';
import type { Database } from './schema.js';
import { migrations } from './migrations/index.js';

// int8 (bigint) columns hold epoch milliseconds, well inside Number's exact range.
pg.types.setTypeParser(20, (value) => Number(value));

export type StorageOptions =
  | { kind: 'sqlite'; file: string }
  | { kind: 'postgres'; url: string; searchPath?: string; poolSize?: number };

export type Storage = {
  db: Kysely<Database>;
  kind: StorageOptions['kind'];
  close(): Promise<void>;
};

export function storageOptionsFor(config: { databaseUrl: string | undefined; dataDir: string }): StorageOptions {
  if (config.databaseUrl) return { kind: 'postgres', url: config.databaseUrl };
  return { kind: 'sqlite', file: path.join(config.dataDir, 'switchboard.sqlite') };
}

export async function openStorage(options: StorageOptions): Promise<Storage> {
  let db: Kysely<Database>;
  if (options.kind === 'sqlite') {
    fs.mkdirSync(path.dirname(options.file), { recursive: true });
    const sqlite = new SqliteDatabase(options.file);
    // WAL lets readers run while a write is in progress; NORMAL sync is durable across process crashes.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  } else {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
    });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  await migrateToLatest(db);
  return { db, kind: options.kind, close: () => db.destroy() };
}

const inCodeMigrations: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  // Kysely looks for its own tables by name in every schema unless told which one: with a database shared
  // by several deployments (or test runs) in their own schemas, it would find another's and fail.
  const schema = await currentSchema(db);
  const migrator = new Migrator({ db, provider: inCodeMigrations, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration failed${failed ? ` at ${failed.migrationName}` : ''}: ${String(error)}`);
  }
}

async function currentSchema(db: Kysely<Database>): Promise<string | undefined> {
  try {
    const result = await sql<{ schema: string | null }>`SELECT current_schema() AS schema`.execute(db);
    return result.rows[0]?.schema ?? undefined;
  } catch {
    // SQLite has no schemas (nor current_schema()).
    return undefined;
  }
}
