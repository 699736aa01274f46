import type { Kysely } from 'kysely';

/**
 * The instance a federated account was bound on, so that refreshing and revoking tokens with this
 * server's client secret is limited to the networks (and instances) the user really bound. Bindings made
 * before this column existed have none and must be bound again before they can be refreshed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('bound_accounts').addColumn('instance', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('bound_accounts').dropColumn('instance').execute();
}
