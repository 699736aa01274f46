import type { Kysely } from 'kysely';

/**
 * What a user publishes about their own accounts on other networks (issue 11): one row per network, the
 * plugin's declared fields as JSON, and the audience the user chose (none: the activity setting decides).
 * Only the user's own handles: the server still stores nothing about anyone's contacts.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('published_identities')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('plugin_id', 'text', (c) => c.notNull())
    .addColumn('fields', 'text', (c) => c.notNull())
    .addColumn('visible_to', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('published_identities_pk', ['user_id', 'plugin_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('published_identities').execute();
}
