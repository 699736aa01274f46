import type { Kysely, Selectable } from 'kysely';
import type { Database, OAuthStatesTable } from '../../db/schema.js';
import type { AccountsRepository, DynamicClientRecord, HandoffRecord, OAuthStateRecord } from './accounts.repository.js';

function toState(row: Selectable<OAuthStatesTable>): OAuthStateRecord {
  return {
    id: row.id,
    userId: row.user_id,
    deviceId: row.device_id,
    pluginId: row.plugin_id,
    instance: row.instance ?? undefined,
    returnTo: row.return_to,
    sealedVerifier: row.sealed_verifier ?? undefined,
    expiresAt: row.expires_at,
  };
}

export class KyselyAccountsRepository implements AccountsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async deleteUser(userId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const table of ['bound_accounts', 'oauth_states', 'oauth_handoffs'] as const) await trx.deleteFrom(table).where('user_id', '=', userId).execute();
    });
  }

  async createState(input: Parameters<AccountsRepository['createState']>[0]): Promise<void> {
    await this.db
      .insertInto('oauth_states')
      .values({
        id: input.id,
        start_hash: input.startHash,
        state_hash: null,
        user_id: input.userId,
        device_id: input.deviceId,
        plugin_id: input.pluginId,
        instance: input.instance ?? null,
        return_to: input.returnTo,
        sealed_verifier: null,
        created_at: input.now,
        expires_at: input.expiresAt,
      })
      .execute();
  }

  async consumeStart(startHash: string, now: number): Promise<OAuthStateRecord | undefined> {
    const row = await this.db.selectFrom('oauth_states').selectAll().where('start_hash', '=', startHash).executeTakeFirst();
    if (!row || row.expires_at <= now || row.state_hash !== null) return undefined;
    // The ticket is spent by whoever flips it first; a second tab or node gets nothing.
    const spent = await this.db
      .updateTable('oauth_states')
      .set({ start_hash: `spent:${row.id}` })
      .where('id', '=', row.id)
      .where('start_hash', '=', startHash)
      .executeTakeFirst();
    return spent.numUpdatedRows === 1n ? toState(row) : undefined;
  }

  async attachState(id: string, stateHash: string, sealedVerifier: string): Promise<boolean> {
    const result = await this.db
      .updateTable('oauth_states')
      .set({ state_hash: stateHash, sealed_verifier: sealedVerifier })
      .where('id', '=', id)
      .where('state_hash', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async peekState(stateHash: string, now: number): Promise<OAuthStateRecord | undefined> {
    const row = await this.db.selectFrom('oauth_states').selectAll().where('state_hash', '=', stateHash).where('expires_at', '>', now).executeTakeFirst();
    return row ? toState(row) : undefined;
  }

  async takeState(stateHash: string, now: number): Promise<OAuthStateRecord | undefined> {
    const row = await this.db.selectFrom('oauth_states').selectAll().where('state_hash', '=', stateHash).executeTakeFirst();
    if (!row) return undefined;
    const deleted = await this.db.deleteFrom('oauth_states').where('id', '=', row.id).where('state_hash', '=', stateHash).executeTakeFirst();
    if (deleted.numDeletedRows !== 1n || row.expires_at <= now) return undefined;
    return toState(row);
  }

  async createHandoff(input: Parameters<AccountsRepository['createHandoff']>[0]): Promise<void> {
    await this.db
      .insertInto('oauth_handoffs')
      .values({
        id_hash: input.idHash,
        user_id: input.userId,
        device_id: input.deviceId,
        plugin_id: input.pluginId,
        sealed_payload: input.sealedPayload,
        created_at: input.now,
        expires_at: input.expiresAt,
      })
      .execute();
  }

  async takeHandoff(idHash: string, owner: { userId: string; deviceId: string; pluginId: string }, now: number): Promise<HandoffRecord | undefined> {
    const row = await this.db
      .selectFrom('oauth_handoffs')
      .selectAll()
      .where('id_hash', '=', idHash)
      .where('user_id', '=', owner.userId)
      .where('device_id', '=', owner.deviceId)
      .where('plugin_id', '=', owner.pluginId)
      .executeTakeFirst();
    if (!row) return undefined;
    const deleted = await this.db.deleteFrom('oauth_handoffs').where('id_hash', '=', idHash).executeTakeFirst();
    // Expired handoffs are deleted as well: the tokens in them are worth nothing to anyone now.
    if (deleted.numDeletedRows !== 1n || row.expires_at <= now) return undefined;
    return { userId: row.user_id, deviceId: row.device_id, pluginId: row.plugin_id, sealedPayload: row.sealed_payload, expiresAt: row.expires_at };
  }

  async findDynamicClient(pluginId: string, instance: string): Promise<DynamicClientRecord | undefined> {
    const row = await this.db
      .selectFrom('oauth_dynamic_clients')
      .selectAll()
      .where('plugin_id', '=', pluginId)
      .where('instance', '=', instance)
      .executeTakeFirst();
    return row
      ? { pluginId: row.plugin_id, instance: row.instance, clientId: row.client_id, sealedClientSecret: row.sealed_client_secret, redirectUri: row.redirect_uri }
      : undefined;
  }

  async saveDynamicClient(client: DynamicClientRecord, now: number): Promise<DynamicClientRecord> {
    await this.db
      .insertInto('oauth_dynamic_clients')
      .values({
        plugin_id: client.pluginId,
        instance: client.instance,
        client_id: client.clientId,
        sealed_client_secret: client.sealedClientSecret,
        redirect_uri: client.redirectUri,
        created_at: now,
      })
      .onConflict((oc) =>
        oc.columns(['plugin_id', 'instance']).doUpdateSet({ client_id: client.clientId, sealed_client_secret: client.sealedClientSecret, redirect_uri: client.redirectUri, created_at: now }),
      )
      .execute();
    return (await this.findDynamicClient(client.pluginId, client.instance)) ?? client;
  }

  async bind(userId: string, pluginId: string, instance: string | undefined, now: number): Promise<void> {
    await this.db
      .insertInto('bound_accounts')
      .values({ user_id: userId, plugin_id: pluginId, bound_at: now, instance: instance ?? null })
      .onConflict((oc) => oc.columns(['user_id', 'plugin_id']).doUpdateSet({ bound_at: now, instance: instance ?? null }))
      .execute();
  }

  async binding(userId: string, pluginId: string): Promise<{ instance: string | null } | undefined> {
    return this.db.selectFrom('bound_accounts').select('instance').where('user_id', '=', userId).where('plugin_id', '=', pluginId).executeTakeFirst();
  }

  async unbind(userId: string, pluginId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('bound_accounts').where('user_id', '=', userId).where('plugin_id', '=', pluginId).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async boundAccounts(userId: string): Promise<{ pluginId: string; boundAt: number }[]> {
    const rows = await this.db.selectFrom('bound_accounts').select(['plugin_id', 'bound_at']).where('user_id', '=', userId).orderBy('plugin_id').execute();
    return rows.map((row) => ({ pluginId: row.plugin_id, boundAt: row.bound_at }));
  }

  async purgeExpired(now: number): Promise<void> {
    await this.db.deleteFrom('oauth_states').where('expires_at', '<=', now).execute();
    await this.db.deleteFrom('oauth_handoffs').where('expires_at', '<=', now).execute();
  }
}
