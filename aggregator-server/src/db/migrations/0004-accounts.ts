import type { Kysely } from 'kysely';

/*
 * Account binding (M19). The server keeps no third-party token: an OAuth flow's state lives minutes,
 * its tokens cross the database only sealed (AES-256-GCM, key derived from the server secret) for the
 * two minutes until the desktop redeems them, and all that stays is which networks a user bound.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // One binding attempt: first addressed by its start ticket (the one-time authorize URL), then by the
  // OAuth `state` it sent the browser to the provider with. Only hashes of either are stored.
  await db.schema
    .createTable('oauth_states')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('start_hash', 'text', (c) => c.notNull().unique())
    .addColumn('state_hash', 'text', (c) => c.unique())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('plugin_id', 'text', (c) => c.notNull())
    .addColumn('instance', 'text')
    .addColumn('return_to', 'text', (c) => c.notNull())
    // The PKCE verifier, sealed: with it and a stolen code anyone could finish the exchange.
    .addColumn('sealed_verifier', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('oauth_states_expiry').on('oauth_states').column('expires_at').execute();

  await db.schema
    .createTable('oauth_handoffs')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('plugin_id', 'text', (c) => c.notNull())
    .addColumn('sealed_payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('oauth_handoffs_expiry').on('oauth_handoffs').column('expires_at').execute();

  // Clients this server registered on federated instances (Mastodon's POST /api/v1/apps): the server's
  // own credentials there, not a user's.
  await db.schema
    .createTable('oauth_dynamic_clients')
    .addColumn('plugin_id', 'text', (c) => c.notNull())
    .addColumn('instance', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('sealed_client_secret', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('oauth_dynamic_clients_pk', ['plugin_id', 'instance'])
    .execute();

  await db.schema
    .createTable('bound_accounts')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('plugin_id', 'text', (c) => c.notNull())
    .addColumn('bound_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('bound_accounts_pk', ['user_id', 'plugin_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['bound_accounts', 'oauth_dynamic_clients', 'oauth_handoffs', 'oauth_states']) {
    await db.schema.dropTable(table).execute();
  }
}
