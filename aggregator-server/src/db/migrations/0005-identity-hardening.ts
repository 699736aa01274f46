import type { Kysely } from 'kysely';

/**
 * Identity hardening (issue 10):
 * - a verification belongs to the address that asked for it (keyed hash), so a resend never hands a
 *   stranger's open verification, with its budget of guesses, to someone else;
 * - password attempts are throttled per (number, address) and per number in `password_throttle`, keyed
 *   by keyed hashes; the old per-number failure table (plain numbers, shared by codes and passwords, and
 *   the source of the lockouts) goes;
 * - devices remember when they were blocked, and a device first seen after a block is flagged;
 * - indexes for the retention purge.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('verifications').addColumn('requester_hash', 'text').execute();
  await db.schema.createIndex('verifications_expires').on('verifications').column('expires_at').execute();
  await db.schema.createIndex('tickets_expires').on('tickets').column('expires_at').execute();
  await db.schema.createIndex('sessions_expires').on('sessions').column('expires_at').execute();
  await db.schema.createIndex('login_log_login_at').on('login_log').column('login_at').execute();

  await db.schema.dropTable('phone_failures').execute();
  await db.schema
    .createTable('password_throttle')
    .addColumn('key_hash', 'text', (c) => c.primaryKey())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('last_attempt_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('password_throttle_last').on('password_throttle').column('last_attempt_at').execute();

  await db.schema.alterTable('devices').addColumn('blocked_at', 'bigint').execute();
  await db.schema.alterTable('devices').addColumn('flagged', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('devices').dropColumn('flagged').execute();
  await db.schema.alterTable('devices').dropColumn('blocked_at').execute();
  await db.schema.dropTable('password_throttle').execute();
  await db.schema
    .createTable('phone_failures')
    .addColumn('phone', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('last_failure_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_until', 'bigint')
    .execute();
  for (const index of ['login_log_login_at', 'sessions_expires', 'tickets_expires', 'verifications_expires']) {
    await db.schema.dropIndex(index).execute();
  }
  await db.schema.alterTable('verifications').dropColumn('requester_hash').execute();
}
