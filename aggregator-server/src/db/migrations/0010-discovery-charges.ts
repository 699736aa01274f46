import type { Kysely } from 'kysely';

/**
 * Numbers already charged against a user's discovery quota on a given day (keyed hashes, as in
 * address_book_phones), so that removing entries and adding them back the same day costs nothing more.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('discovery_charges')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('day', 'integer', (c) => c.notNull())
    .addColumn('phone_hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('discovery_charges_pk', ['user_id', 'day', 'phone_hash'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('discovery_charges').execute();
}
