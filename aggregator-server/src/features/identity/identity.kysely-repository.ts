import type { Kysely, Selectable } from 'kysely';
import type { Database, DevicesTable, LoginLogTable, SessionsTable } from '../../db/schema.js';
import { userTypes, type UserType } from '#common/contract/identity.js';
import {
  PhoneInUseError,
  type DeviceRecord,
  type IdentityRepository,
  type LoginRecord,
  type PhoneRecord,
  type SessionRecord,
  type UserRecord,
} from './identity.repository.js';
import { KyselySignInRecords } from './sign-in-records.kysely.js';

function toDevice(row: Selectable<DevicesTable>): DeviceRecord {
  return {
    userId: row.user_id,
    deviceId: row.device_id,
    name: row.name,
    platform: row.platform,
    blocked: row.blocked === 1,
    blockedAt: row.blocked_at,
    flagged: row.flagged === 1,
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
  };
}

function toSession(row: Selectable<SessionsTable>): SessionRecord {
  return {
    id: row.id,
    tokenHash: row.token_hash,
    userId: row.user_id,
    deviceId: row.device_id,
    loginId: row.login_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    idleTtlMs: row.idle_ttl_ms === null ? null : Number(row.idle_ttl_ms),
    webCookie: row.web_cookie === 'kept' || row.web_cookie === 'browser' ? row.web_cookie : null,
  };
}

function toLogin(row: Selectable<LoginLogTable>): LoginRecord {
  return {
    id: row.id,
    userId: row.user_id,
    deviceId: row.device_id,
    deviceName: row.device_name,
    platform: row.platform,
    ip: row.ip,
    method: row.method === 'password' ? 'password' : 'sms_code',
    loginAt: row.login_at,
    logoutAt: row.logout_at,
  };
}

function asUserType(value: string): UserType {
  return (userTypes as readonly string[]).includes(value) ? (value as UserType) : 'normal';
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  // 23505: PostgreSQL unique_violation; SQLite reports constraint failures by code name.
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** The identity repository over kysely, for SQLite and PostgreSQL alike. */
export class KyselyIdentityRepository extends KyselySignInRecords implements IdentityRepository {
  constructor(
    db: Kysely<Database>,
    /** The keyed hash that address books are matched on (see PhoneHasher). */
    private readonly hashPhone: (phone: string) => string,
    private readonly kind: 'sqlite' | 'postgres',
  ) {
    super(db);
  }

  private userQuery() {
    return this.db
      .selectFrom('users')
      .innerJoin('user_phones', (join) => join.onRef('user_phones.user_id', '=', 'users.id').on('user_phones.is_primary', '=', 1))
      .select(['users.id', 'users.type', 'users.password_hash', 'users.created_at', 'user_phones.phone']);
  }

  private static toUser(row: { id: string; type: string; password_hash: string | null; created_at: number; phone: string }): UserRecord {
    return { id: row.id, phone: row.phone, type: asUserType(row.type), passwordHash: row.password_hash, createdAt: row.created_at };
  }

  async findUserById(id: string): Promise<UserRecord | undefined> {
    const row = await this.userQuery().where('users.id', '=', id).executeTakeFirst();
    return row && KyselyIdentityRepository.toUser(row);
  }

  async findUserByPhone(phone: string): Promise<UserRecord | undefined> {
    const owner = await this.db.selectFrom('user_phones').select('user_id').where('phone', '=', phone).executeTakeFirst();
    return owner ? this.findUserById(owner.user_id) : undefined;
  }

  async createUser(user: { id: string; phone: string; now: number }): Promise<UserRecord> {
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx.insertInto('users').values({ id: user.id, type: 'normal', password_hash: null, created_at: user.now, updated_at: user.now }).execute();
        await trx.insertInto('user_phones').values({ phone: user.phone, phone_hash: this.hashPhone(user.phone), user_id: user.id, is_primary: 1, verified_at: user.now }).execute();
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new PhoneInUseError(user.phone);
      throw error;
    }
    return { id: user.id, phone: user.phone, type: 'normal', passwordHash: null, createdAt: user.now };
  }

  async listPhones(userId: string): Promise<PhoneRecord[]> {
    const rows = await this.db
      .selectFrom('user_phones')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('is_primary', 'desc')
      .orderBy('verified_at')
      .execute();
    return rows.map((row) => ({ phone: row.phone, primary: row.is_primary === 1, verifiedAt: row.verified_at }));
  }

  async addPhone(userId: string, phone: string, now: number): Promise<void> {
    const existing = await this.db.selectFrom('user_phones').select('user_id').where('phone', '=', phone).executeTakeFirst();
    if (existing) {
      if (existing.user_id === userId) return;
      throw new PhoneInUseError(phone);
    }
    try {
      await this.db.insertInto('user_phones').values({ phone, phone_hash: this.hashPhone(phone), user_id: userId, is_primary: 0, verified_at: now }).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw new PhoneInUseError(phone);
      throw error;
    }
  }

  async replacePrimaryPhone(userId: string, phone: string, now: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const owner = await trx.selectFrom('user_phones').select('user_id').where('phone', '=', phone).executeTakeFirst();
      if (owner && owner.user_id !== userId) throw new PhoneInUseError(phone);
      await trx.deleteFrom('user_phones').where('user_id', '=', userId).where('is_primary', '=', 1).where('phone', '!=', phone).execute();
      if (owner) {
        await trx.updateTable('user_phones').set({ is_primary: 1, verified_at: now }).where('phone', '=', phone).execute();
      } else {
        await trx.insertInto('user_phones').values({ phone, phone_hash: this.hashPhone(phone), user_id: userId, is_primary: 1, verified_at: now }).execute();
      }
      await trx.updateTable('users').set({ updated_at: now }).where('id', '=', userId).execute();
    });
  }

  async removePhone(userId: string, phone: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('user_phones')
      .where('user_id', '=', userId)
      .where('phone', '=', phone)
      .where('is_primary', '=', 0)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async setPasswordHash(userId: string, hash: string | null, now: number): Promise<void> {
    await this.db.updateTable('users').set({ password_hash: hash, updated_at: now }).where('id', '=', userId).execute();
  }

  async setUserType(userId: string, type: UserType, now: number): Promise<boolean> {
    const result = await this.db.updateTable('users').set({ type, updated_at: now }).where('id', '=', userId).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async upsertDevice(userId: string, device: { id: string; name: string; platform: string }, now: number, flaggedIfNew: boolean): Promise<DeviceRecord> {
    const row = await this.db
      .insertInto('devices')
      .values({
        user_id: userId,
        device_id: device.id,
        name: device.name,
        platform: device.platform,
        blocked: 0,
        blocked_at: null,
        flagged: flaggedIfNew ? 1 : 0,
        first_seen_at: now,
        last_seen_at: now,
      })
      .onConflict((oc) => oc.columns(['user_id', 'device_id']).doUpdateSet({ name: device.name, platform: device.platform, last_seen_at: now }))
      .returningAll()
      .executeTakeFirstOrThrow();
    return toDevice(row);
  }

  async findDevice(userId: string, deviceId: string): Promise<DeviceRecord | undefined> {
    const row = await this.db.selectFrom('devices').selectAll().where('user_id', '=', userId).where('device_id', '=', deviceId).executeTakeFirst();
    return row && toDevice(row);
  }

  async listDevices(userId: string): Promise<DeviceRecord[]> {
    const rows = await this.db.selectFrom('devices').selectAll().where('user_id', '=', userId).orderBy('last_seen_at', 'desc').execute();
    return rows.map(toDevice);
  }

  async setDeviceBlocked(userId: string, deviceId: string, blocked: boolean, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('devices')
      .set(blocked ? { blocked: 1, blocked_at: now } : { blocked: 0 })
      .where('user_id', '=', userId)
      .where('device_id', '=', deviceId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async setDeviceTrusted(userId: string, deviceId: string): Promise<boolean> {
    const result = await this.db.updateTable('devices').set({ flagged: 0 }).where('user_id', '=', userId).where('device_id', '=', deviceId).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async lastDeviceBlockAt(userId: string): Promise<number | null> {
    const row = await this.db
      .selectFrom('devices')
      .select((eb) => eb.fn.max('blocked_at').as('last'))
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row?.last ?? null;
  }

  async deviceUsedPassword(userId: string, deviceId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('login_log')
      .select('id')
      .where('user_id', '=', userId)
      .where('device_id', '=', deviceId)
      .where('method', '=', 'password')
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async deleteDevice(userId: string, deviceId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('devices').where('user_id', '=', userId).where('device_id', '=', deviceId).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async createSession(s: SessionRecord): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({
        id: s.id,
        token_hash: s.tokenHash,
        user_id: s.userId,
        device_id: s.deviceId,
        login_id: s.loginId,
        created_at: s.createdAt,
        expires_at: s.expiresAt,
        revoked_at: s.revokedAt,
        idle_ttl_ms: s.idleTtlMs,
        web_cookie: s.webCookie,
      })
      .execute();
  }

  async deleteUserData(userId: string, phones: string[], passwordCounterKeys: string[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      if (phones.length > 0) {
        await trx.deleteFrom('verifications').where('phone', 'in', phones).execute();
        await trx.deleteFrom('tickets').where('phone', 'in', phones).execute();
      }
      if (passwordCounterKeys.length > 0) await trx.deleteFrom('password_throttle').where('key_hash', 'in', passwordCounterKeys).execute();
      for (const table of ['sessions', 'login_log', 'devices', 'user_phones'] as const) await trx.deleteFrom(table).where('user_id', '=', userId).execute();
      await trx.deleteFrom('users').where('id', '=', userId).execute();
    });
  }

  async extendSession(sessionId: string, expiresAt: number, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('sessions')
      .set({ expires_at: expiresAt })
      .where('id', '=', sessionId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async findSessionByTokenHash(tokenHash: string): Promise<SessionRecord | undefined> {
    const row = await this.db.selectFrom('sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return row && toSession(row);
  }

  async findSessionsByIds(sessionIds: string[]): Promise<SessionRecord[]> {
    if (sessionIds.length === 0) return [];
    const rows = await this.db.selectFrom('sessions').selectAll().where('id', 'in', sessionIds).execute();
    return rows.map(toSession);
  }

  async revokeSession(sessionId: string, now: number): Promise<SessionRecord | undefined> {
    const row = await this.db
      .updateTable('sessions')
      .set({ revoked_at: now })
      .where('id', '=', sessionId)
      .where('revoked_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    return row && toSession(row);
  }

  async revokeUserSessions(userId: string, keepSessionId: string | undefined, now: number): Promise<SessionRecord[]> {
    let query = this.db.updateTable('sessions').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null);
    if (keepSessionId !== undefined) query = query.where('id', '!=', keepSessionId);
    const rows = await query.returningAll().execute();
    return rows.map(toSession);
  }

  async openDeviceSession(session: SessionRecord, now: number): Promise<{ replaced: SessionRecord[] } | 'blocked'> {
    return this.db.transaction().execute(async (trx) => {
      // The device row is the lock that puts logins (and blocks) of one device in a line on PostgreSQL;
      // SQLite runs one write transaction at a time anyway and has no FOR UPDATE.
      let device = trx.selectFrom('devices').select('blocked').where('user_id', '=', session.userId).where('device_id', '=', session.deviceId);
      if (this.kind === 'postgres') device = device.forUpdate();
      if ((await device.executeTakeFirst())?.blocked === 1) return 'blocked';
      const replaced = await trx
        .updateTable('sessions')
        .set({ revoked_at: now })
        .where('user_id', '=', session.userId)
        .where('device_id', '=', session.deviceId)
        .where('revoked_at', 'is', null)
        .returningAll()
        .execute();
      await trx
        .insertInto('sessions')
        .values({
          id: session.id,
          token_hash: session.tokenHash,
          user_id: session.userId,
          device_id: session.deviceId,
          login_id: session.loginId,
          created_at: session.createdAt,
          expires_at: session.expiresAt,
          revoked_at: session.revokedAt,
          idle_ttl_ms: session.idleTtlMs,
          web_cookie: session.webCookie,
        })
        .execute();
      return { replaced: replaced.map(toSession) };
    });
  }

  async revokeDeviceSessions(userId: string, deviceId: string, now: number): Promise<SessionRecord[]> {
    const rows = await this.db
      .updateTable('sessions')
      .set({ revoked_at: now })
      .where('user_id', '=', userId)
      .where('device_id', '=', deviceId)
      .where('revoked_at', 'is', null)
      .returningAll()
      .execute();
    return rows.map(toSession);
  }

  async signedInDeviceIds(userId: string, now: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('sessions')
      .select('device_id')
      .distinct()
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .execute();
    return rows.map((row) => row.device_id);
  }

  async addLogin(e: LoginRecord): Promise<void> {
    await this.db
      .insertInto('login_log')
      .values({
        id: e.id,
        user_id: e.userId,
        device_id: e.deviceId,
        device_name: e.deviceName,
        platform: e.platform,
        ip: e.ip,
        method: e.method,
        login_at: e.loginAt,
        logout_at: e.logoutAt,
      })
      .execute();
  }

  async closeLogins(loginIds: string[], now: number): Promise<void> {
    if (loginIds.length === 0) return;
    await this.db.updateTable('login_log').set({ logout_at: now }).where('id', 'in', loginIds).where('logout_at', 'is', null).execute();
  }

  async listLogins(userId: string, limit: number): Promise<LoginRecord[]> {
    const rows = await this.db
      .selectFrom('login_log')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('login_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toLogin);
  }
}
