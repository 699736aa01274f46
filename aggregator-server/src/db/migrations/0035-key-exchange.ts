import type { Kysely } from 'kysely';

/**
 * The address-book key between a user's own devices (issue 12 item 7). Only public keys and keys wrapped
 * end to end are stored: nothing here opens a sealed address-book entry without a device's private key
 * or the user's recovery key, neither of which reaches the server.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('device_keys')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    // The book key wrapped for this device by `wrapped_by` (a device of the same user), once approved.
    .addColumn('wrapped_key', 'text')
    .addColumn('wrapped_by', 'text')
    .addColumn('requested_at', 'bigint', (c) => c.notNull())
    .addColumn('answered_at', 'bigint')
    .addPrimaryKeyConstraint('device_keys_pk', ['user_id', 'device_id'])
    .execute();

  await db.schema
    .createTable('book_key_recovery')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('wrapped_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('book_key_recovery').execute();
  await db.schema.dropTable('device_keys').execute();
}
