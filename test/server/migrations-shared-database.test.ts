import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openStorage } from '#server/db/database.js';
import { postgresAvailable, postgresUrl } from '../support/services.js';
import { createPostgresSchema } from '../support/test-server.js';

const available = await postgresAvailable();

describe.skipIf(!available)('migrations in a PostgreSQL database shared by schemas', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('migrates its own schema even when another schema holds half-made migration tables', async () => {
    // What a killed run leaves behind: a lock table without its migration table, in another schema.
    const leftover = await createPostgresSchema();
    cleanups.push(leftover.drop);
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    const leftoverSchema = leftover.storage.kind === 'postgres' ? leftover.storage.searchPath : undefined;
    expect(leftoverSchema).toBeTruthy();
    await client.query(`CREATE TABLE ${leftoverSchema}.kysely_migration_lock (id varchar(255) primary key, is_locked integer not null default 0)`);
    await client.end();

    const fresh = await createPostgresSchema();
    cleanups.push(fresh.drop);
    const storage = await openStorage(fresh.storage);
    cleanups.push(() => storage.close());
    const tables = await storage.db.introspection.getTables();
    expect(tables.map((table) => table.name)).toContain('users');
  });
});
