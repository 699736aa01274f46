import type { Kysely, Selectable } from 'kysely';
import type { Database, VerificationsTable } from '../../db/schema.js';
import type { PasswordAttemptsRecord, PurgeCounts, PurgeCutoffs, VerificationRecord } from './identity.repository.js';

function toVerification(row: Selectable<VerificationsTable>): VerificationRecord {
  return {
    id: row.id,
    phone: row.phone,
    codeHash: row.code_hash,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    sends: row.sends,
    lastSentAt: row.last_sent_at,
    checksUsed: row.wrong_checks,
    consumedAt: row.consumed_at,
    requesterHash: row.requester_hash,
  };
}

/**
 * The short-lived sign-in records of the identity repository: verifications, tickets, password attempt
 * counters, and the retention purge. KyselyIdentityRepository adds users, numbers, devices and sessions.
 */
export class KyselySignInRecords {
  constructor(protected readonly db: Kysely<Database>) {}

  async createVerification(v: VerificationRecord): Promise<void> {
    await this.db
      .insertInto('verifications')
      .values({
        id: v.id,
        phone: v.phone,
        code_hash: v.codeHash,
        created_at: v.createdAt,
        expires_at: v.expiresAt,
        sends: v.sends,
        last_sent_at: v.lastSentAt,
        wrong_checks: v.checksUsed,
        consumed_at: v.consumedAt,
        requester_hash: v.requesterHash,
      })
      .execute();
  }

  async findVerification(id: string): Promise<VerificationRecord | undefined> {
    const row = await this.db.selectFrom('verifications').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toVerification(row);
  }

  async findOpenVerification(phone: string, requesterHash: string, now: number): Promise<VerificationRecord | undefined> {
    const row = await this.db
      .selectFrom('verifications')
      .selectAll()
      .where('phone', '=', phone)
      .where('requester_hash', '=', requesterHash)
      .where('consumed_at', 'is', null)
      .where('expires_at', '>', now)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toVerification(row);
  }

  async recordResend(id: string, codeHash: string, now: number, expiresAt: number): Promise<void> {
    await this.db
      .updateTable('verifications')
      .set((eb) => ({ code_hash: codeHash, last_sent_at: now, expires_at: expiresAt, sends: eb('sends', '+', 1), wrong_checks: 0 }))
      .where('id', '=', id)
      .execute();
  }

  async reserveCheck(id: string, now: number, maxChecks: number): Promise<VerificationRecord | undefined> {
    // One statement: PostgreSQL re-evaluates the WHERE on the row each waiting update finally sees,
    // and SQLite runs writes one at a time, so the budget can never be overdrawn.
    const row = await this.db
      .updateTable('verifications')
      .set((eb) => ({ wrong_checks: eb('wrong_checks', '+', 1) }))
      .where('id', '=', id)
      .where('consumed_at', 'is', null)
      .where('expires_at', '>', now)
      .where('wrong_checks', '<', maxChecks)
      .returningAll()
      .executeTakeFirst();
    return row && toVerification(row);
  }

  async consumeVerification(id: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('verifications')
      .set({ consumed_at: now })
      .where('id', '=', id)
      .where('consumed_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async getPasswordAttempts(keyHash: string): Promise<PasswordAttemptsRecord | undefined> {
    const row = await this.db.selectFrom('password_throttle').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
    return row && { attempts: row.attempts, lastAttemptAt: row.last_attempt_at };
  }

  async swapPasswordAttempts(keyHash: string, expected: number | undefined, attempts: number, now: number): Promise<boolean> {
    if (expected === undefined) {
      const inserted = await this.db
        .insertInto('password_throttle')
        .values({ key_hash: keyHash, attempts, last_attempt_at: now })
        .onConflict((oc) => oc.column('key_hash').doNothing())
        .returning('key_hash')
        .executeTakeFirst();
      return inserted !== undefined;
    }
    const updated = await this.db
      .updateTable('password_throttle')
      .set({ attempts, last_attempt_at: now })
      .where('key_hash', '=', keyHash)
      .where('attempts', '=', expected)
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) === 1;
  }

  async clearPasswordAttempts(keyHashes: string[]): Promise<void> {
    if (keyHashes.length === 0) return;
    await this.db.deleteFrom('password_throttle').where('key_hash', 'in', keyHashes).execute();
  }

  async createTicket(hash: string, phone: string, expiresAt: number): Promise<void> {
    await this.db.insertInto('tickets').values({ hash, phone, expires_at: expiresAt, used_at: null }).execute();
  }

  async consumeTicket(hash: string, now: number): Promise<string | undefined> {
    const row = await this.db
      .updateTable('tickets')
      .set({ used_at: now })
      .where('hash', '=', hash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('phone')
      .executeTakeFirst();
    return row?.phone;
  }

  async purge(cutoffs: PurgeCutoffs): Promise<PurgeCounts> {
    const count = (result: { numDeletedRows: bigint }) => Number(result.numDeletedRows);
    const verifications = await this.db.deleteFrom('verifications').where('expires_at', '<', cutoffs.codesExpiredBefore).executeTakeFirst();
    const tickets = await this.db.deleteFrom('tickets').where('expires_at', '<', cutoffs.codesExpiredBefore).executeTakeFirst();
    const sessions = await this.db
      .deleteFrom('sessions')
      .where((eb) => eb.or([eb('expires_at', '<', cutoffs.sessionsEndedBefore), eb('revoked_at', '<', cutoffs.sessionsEndedBefore)]))
      .executeTakeFirst();
    const logins = await this.db.deleteFrom('login_log').where('login_at', '<', cutoffs.loginsBefore).executeTakeFirst();
    const passwordAttempts = await this.db.deleteFrom('password_throttle').where('last_attempt_at', '<', cutoffs.passwordAttemptsBefore).executeTakeFirst();
    return {
      verifications: count(verifications),
      tickets: count(tickets),
      sessions: count(sessions),
      logins: count(logins),
      passwordAttempts: count(passwordAttempts),
    };
  }
}
