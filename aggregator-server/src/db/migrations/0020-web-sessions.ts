import type { Kysely } from 'kysely';

/**
 * Web sessions held in a cookie: `idle_ttl_ms` makes a session's expiry slide forward by that much on
 * each use (null keeps the fixed expiry bearer clients have), `web_cookie` says whether the browser keeps
 * the cookie (`kept`, "keep me signed in") or drops it when it closes (`browser`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('idle_ttl_ms', 'bigint').execute();
  await db.schema.alterTable('sessions').addColumn('web_cookie', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sessions').dropColumn('web_cookie').execute();
  await db.schema.alterTable('sessions').dropColumn('idle_ttl_ms').execute();
}
