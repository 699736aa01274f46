import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('address_books')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('log_floor', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  // One row per entry: the client's opaque ref and, optionally, its end-to-end sealed details.
  await db.schema
    .createTable('address_book_refs')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('sealed', 'text')
    .addPrimaryKeyConstraint('address_book_refs_pk', ['user_id', 'ref'])
    .execute();

  // Numbers only as keyed hashes: without the server secret, a copy of this table names no one.
  await db.schema
    .createTable('address_book_phones')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('phone_hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('address_book_phones_pk', ['user_id', 'ref', 'phone_hash'])
    .execute();
  await db.schema.createIndex('address_book_phones_hash').on('address_book_phones').columns(['phone_hash', 'user_id']).execute();

  await db.schema
    .createTable('address_book_changes')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('op', 'text', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('sealed', 'text')
    .addPrimaryKeyConstraint('address_book_changes_pk', ['user_id', 'version', 'ref'])
    .execute();

  await db.schema
    .createTable('privacy_settings')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('activity_visible_to', 'text', (c) => c.notNull())
    .addColumn('shared_apps', 'text', (c) => c.notNull())
    .addColumn('discoverable', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  for (const [table, column] of [
    ['blocks', 'blocked_user_id'],
    ['allows', 'allowed_user_id'],
  ] as const) {
    await db.schema
      .createTable(table)
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn(column, 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint(`${table}_pk`, ['user_id', column])
      .execute();
    await db.schema.createIndex(`${table}_reverse`).on(table).columns([column, 'user_id']).execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['allows', 'blocks', 'privacy_settings', 'address_book_changes', 'address_book_phones', 'address_book_refs', 'address_books']) {
    await db.schema.dropTable(table).execute();
  }
}
