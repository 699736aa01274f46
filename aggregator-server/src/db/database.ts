import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { Migrator, type MigrationProvider } from 'kysely/migration';
import type { Database } from './schema.js';
import { migrations } from './migrations/index.js';
import { fallbackCheckpointPages, startBackgroundCheckpoints } from './sqlite-checkpoints.js';
import { withStatementCache } from './sqlite-statement-cache.js';
import { ensurePrivateDir, ensurePrivateFile, restrictIfPresent } from '../platform/private-files.js';

// int8 (bigint) columns hold epoch milliseconds, well inside Number's exact range.
pg.types.setTypeParser(20, (value) => Number(value));

export type StorageOptions =
  | { kind: 'sqlite'; file: string }
  | { kind: 'postgres'; url: string; searchPath?: string; poolSize?: number };

export type Storage = {
  db: Kysely<Database>;
  kind: StorageOptions['kind'];
  close(): Promise<void>;
  /** The embedded database's own handle, for the few hot statements run on it directly (see SqliteMessageWriter). */
  sqlite?: SqliteDatabase.Database;
};

export function storageOptionsFor(config: { databaseUrl: string | undefined; dataDir: string }): StorageOptions {
  if (config.databaseUrl) return { kind: 'postgres', url: config.databaseUrl };
  return { kind: 'sqlite', file: path.join(config.dataDir, 'switchboard.sqlite') };
}

export async function openStorage(options: StorageOptions): Promise<Storage> {
  let db: Kysely<Database>;
  let sqliteHandle: SqliteDatabase.Database | undefined;
  let checkpoints: { stop(): Promise<void> } | undefined;
  if (options.kind === 'sqlite') {
    ensurePrivateDir(path.dirname(options.file));
    ensurePrivateFile(options.file);
    const sqlite = new SqliteDatabase(options.file);
    // WAL lets readers run while a write is in progress; NORMAL sync is durable across process crashes.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma(`wal_autocheckpoint = ${fallbackCheckpointPages}`);
    checkpoints = startBackgroundCheckpoints(options.file);
    // SQLite gives -wal and -shm the database file's mode; an older database may predate that rule.
    for (const suffix of ['-wal', '-shm']) restrictIfPresent(options.file + suffix);
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    sqliteHandle = sqlite;
  } else {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
    });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  await migrateToLatest(db, options.kind);
  const close = async () => {
    await checkpoints?.stop();
    await db.destroy();
  };
  return { db, kind: options.kind, close, ...(sqliteHandle ? { sqlite: sqliteHandle } : {}) };
}

const inCodeMigrations: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Kysely<Database>, kind: StorageOptions['kind']): Promise<void> {
  // Without a schema, kysely looks for its bookkeeping tables in EVERY schema of the database, so one
  // deployment (or test) beside another in the same database would skip creating its own and fail.
  const migrationTableSchema = kind === 'postgres' ? await currentSchema(db) : undefined;
  const migrator = new Migrator({ db, provider: inCodeMigrations, ...(migrationTableSchema ? { migrationTableSchema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration failed${failed ? ` at ${failed.migrationName}` : ''}: ${String(error)}`);
  }
}

async function currentSchema(db: Kysely<Database>): Promise<string | undefined> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? undefined;
}
