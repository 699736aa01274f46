import type { Kysely } from 'kysely';

/**
 * SMS fallback and gateway (M24, M29). Numbers of people who are not users appear only as keyed hashes
 * (opt-outs, counters, de-duplication); a phone signed in through the gateway is kept in clear, because
 * the server must send it the messages of the account it signed in to.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // STOP: no SMS from us to this number until it sends START.
  await db.schema
    .createTable('sms_opt_outs')
    .addColumn('phone_hash', 'text', (c) => c.primaryKey())
    .addColumn('opted_out_at', 'bigint', (c) => c.notNull())
    .execute();

  // Daily caps (per sender, per receiver, help answers), counted atomically in SQL by UTC day.
  await db.schema
    .createTable('sms_daily_counts')
    .addColumn('counter_key', 'text', (c) => c.notNull())
    .addColumn('day', 'integer', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('sms_daily_counts_pk', ['counter_key', 'day'])
    .execute();

  // Inbound SMS already handled (a gateway may deliver one again after a crash).
  await db.schema
    .createTable('sms_inbound_seen')
    .addColumn('dedupe_key', 'text', (c) => c.primaryKey())
    .addColumn('seen_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sms_inbound_seen_at').on('sms_inbound_seen').column('seen_at').execute();

  // A phone signed in to an account by SMS (seed 004): one account per phone at a time.
  await db.schema
    .createTable('sms_gateway_sessions')
    .addColumn('phone', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    // Where a bare text goes: the conversation of the last message in or out.
    .addColumn('last_conversation_id', 'text')
    .addColumn('signed_in_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sms_gateway_sessions_user').on('sms_gateway_sessions').column('user_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sms_gateway_sessions').execute();
  await db.schema.dropTable('sms_inbound_seen').execute();
  await db.schema.dropTable('sms_daily_counts').execute();
  await db.schema.dropTable('sms_opt_outs').execute();
}
