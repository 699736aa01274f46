import { sql, type Kysely } from 'kysely';

/**
 * A post's counts version: one more with every like, unlike, comment and comment deletion, in the same
 * transaction. Live pushes and reads carry it, so a device keeps the newest counts whatever order they
 * arrive in (two pushes from two nodes, or a push overtaken by a fresh read).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('posts')
    .addColumn('counts_version', 'integer', (c) => c.notNull().defaultTo(sql`0`))
    .execute();
}
