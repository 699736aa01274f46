import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';

/**
 * Address-book refs used to be an unkeyed FNV hash of the entry's first number (`p1-…`): anyone with a
 * copy of these tables got every number back by hashing candidates. Each such ref becomes a random one,
 * the same in every table of the user's book, so the book, its matches and its change log stay consistent.
 * Clients renew their own refs and upload their book again; until then they hold refs the server no
 * longer knows, which only means no matches until that upload.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const legacy = await sql<{ user_id: string; ref: string }>`
    SELECT user_id, ref FROM address_book_refs WHERE ref LIKE 'p1-%'
    UNION SELECT user_id, ref FROM address_book_changes WHERE ref LIKE 'p1-%'`.execute(db);
  for (const { user_id: userId, ref } of legacy.rows) {
    const opaque = `m1-${randomBytes(16).toString('hex')}`;
    for (const table of ['address_book_refs', 'address_book_phones', 'address_book_changes'] as const) {
      await sql`UPDATE ${sql.table(table)} SET ref = ${opaque} WHERE user_id = ${userId} AND ref = ${ref}`.execute(db);
    }
  }
}

export async function down(): Promise<void> {
  // The old refs cannot (and must not) be recomputed.
}
