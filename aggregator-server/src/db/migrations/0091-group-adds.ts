import { sql, type Kysely } from 'kysely';

/** Who may add the user to a group (`everyone`, `contacts`, `nobody`); people who never chose allow everyone who can find them. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('privacy_settings')
    .addColumn('group_adds_by', 'text', (c) => c.notNull().defaultTo(sql`'everyone'`))
    .execute();
}
