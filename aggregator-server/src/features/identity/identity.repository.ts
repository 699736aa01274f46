import type { UserType } from '#common/contract/identity.js';

/** What identity storage must do; implemented once over kysely for SQLite and PostgreSQL. */
export interface IdentityRepository {
  createVerification(record: VerificationRecord): Promise<void>;
  findVerification(id: string): Promise<VerificationRecord | undefined>;
  /** The newest verification for the number asked for by this requester that is still usable at `now`. */
  findOpenVerification(phone: string, requesterHash: string, now: number): Promise<VerificationRecord | undefined>;
  /** A new code for the verification, with a fresh budget of checks. */
  recordResend(id: string, codeHash: string, now: number, expiresAt: number): Promise<void>;
  /**
   * Takes one check from the verification's budget BEFORE the code is compared, in one conditional
   * update, so parallel guesses can never be evaluated more than `maxChecks` times per code. Undefined
   * when the verification is unknown, used, expired or out of checks.
   */
  reserveCheck(id: string, now: number, maxChecks: number): Promise<VerificationRecord | undefined>;
  /** Marks the verification used; false when it was already used (a replayed code). */
  consumeVerification(id: string, now: number): Promise<boolean>;

  getPasswordAttempts(keyHash: string): Promise<PasswordAttemptsRecord | undefined>;
  /**
   * Compare-and-set of a password attempt counter: succeeds only when the stored count is still
   * `expected` (undefined: no row yet), so parallel attempts are each counted before any is evaluated.
   */
  swapPasswordAttempts(keyHash: string, expected: number | undefined, attempts: number, now: number): Promise<boolean>;
  clearPasswordAttempts(keyHashes: string[]): Promise<void>;

  createTicket(hash: string, phone: string, expiresAt: number): Promise<void>;
  /** Uses a ticket once; undefined when unknown, used or expired. */
  consumeTicket(hash: string, now: number): Promise<string | undefined>;

  findUserById(id: string): Promise<UserRecord | undefined>;
  findUserByPhone(phone: string): Promise<UserRecord | undefined>;
  createUser(user: { id: string; phone: string; now: number }): Promise<UserRecord>;
  listPhones(userId: string): Promise<PhoneRecord[]>;
  /** Throws PhoneInUseError when another user has the number. */
  addPhone(userId: string, phone: string, now: number): Promise<void>;
  /** Makes `phone` the primary number and frees the previous primary, in one transaction. */
  replacePrimaryPhone(userId: string, phone: string, now: number): Promise<void>;
  removePhone(userId: string, phone: string): Promise<boolean>;
  /** null removes the password (the account signs in by code only until a new one is set). */
  setPasswordHash(userId: string, hash: string | null, now: number): Promise<void>;
  setUserType(userId: string, type: UserType, now: number): Promise<boolean>;

  /** Records a sign-in of the device; a device never seen before gets `flagged` as given. */
  upsertDevice(userId: string, device: { id: string; name: string; platform: string }, now: number, flaggedIfNew: boolean): Promise<DeviceRecord>;
  findDevice(userId: string, deviceId: string): Promise<DeviceRecord | undefined>;
  listDevices(userId: string): Promise<DeviceRecord[]>;
  setDeviceBlocked(userId: string, deviceId: string, blocked: boolean, now: number): Promise<boolean>;
  /** Clears the flag of a device first seen after a block: its owner recognised it. */
  setDeviceTrusted(userId: string, deviceId: string): Promise<boolean>;
  /** When a device of the user was last blocked (null: never). */
  lastDeviceBlockAt(userId: string): Promise<number | null>;
  /** Whether the device ever signed in with the password (from the login log). */
  deviceUsedPassword(userId: string, deviceId: string): Promise<boolean>;
  deleteDevice(userId: string, deviceId: string): Promise<boolean>;

  createSession(session: SessionRecord): Promise<void>;
  findSessionByTokenHash(tokenHash: string): Promise<SessionRecord | undefined>;
  /** Moves a live session's expiry (sliding sessions); false when it is no longer live. */
  extendSession(sessionId: string, expiresAt: number, now: number): Promise<boolean>;
  revokeSession(sessionId: string, now: number): Promise<SessionRecord | undefined>;
  /** Revokes every live session of the user except `keepSessionId` and returns them. */
  revokeUserSessions(userId: string, keepSessionId: string | undefined, now: number): Promise<SessionRecord[]>;
  /**
   * In one transaction that holds the device row: refuses when the device is blocked, otherwise ends
   * every live session of the device and creates `session`, so parallel logins under one device id
   * leave exactly one session and a block can never slip between the check and the insert.
   */
  openDeviceSession(session: SessionRecord, now: number): Promise<{ replaced: SessionRecord[] } | 'blocked'>;
  /** The sessions among `sessionIds` that still exist (revoked ones included). */
  findSessionsByIds(sessionIds: string[]): Promise<SessionRecord[]>;
  /** Revokes every live session of one device and returns them. */
  revokeDeviceSessions(userId: string, deviceId: string, now: number): Promise<SessionRecord[]>;
  /** Ids of the user's devices that hold a live session at `now`. */
  signedInDeviceIds(userId: string, now: number): Promise<string[]>;

  addLogin(entry: LoginRecord): Promise<void>;
  closeLogins(loginIds: string[], now: number): Promise<void>;
  listLogins(userId: string, limit: number): Promise<LoginRecord[]>;

  /**
   * Deletes every row of the identity feature about a user, in one transaction: the account, its numbers,
   * devices, sessions, sign-in log, and the codes, tickets and password counters of its numbers.
   */
  deleteUserData(userId: string, phones: string[], passwordCounterKeys: string[]): Promise<void>;

  /** Deletes what retention no longer keeps; returns how many rows of each kind went. */
  purge(cutoffs: PurgeCutoffs): Promise<PurgeCounts>;
}

/** Rows older than these instants (epoch ms) are deleted. */
export type PurgeCutoffs = {
  /** Verifications and tickets that expired before this. */
  codesExpiredBefore: number;
  /** Sessions that expired or were ended before this. */
  sessionsEndedBefore: number;
  /** Login log entries of logins before this. */
  loginsBefore: number;
  /** Password attempt counters untouched since this. */
  passwordAttemptsBefore: number;
};

export type PurgeCounts = { verifications: number; tickets: number; sessions: number; logins: number; passwordAttempts: number };

export class PhoneInUseError extends Error {
  constructor(readonly phone: string) {
    super('the number belongs to another user');
  }
}

export type VerificationRecord = {
  id: string;
  phone: string;
  codeHash: string;
  createdAt: number;
  expiresAt: number;
  sends: number;
  lastSentAt: number;
  /** Checks taken from the budget of the current code. */
  checksUsed: number;
  consumedAt: number | null;
  requesterHash: string | null;
};

export type PasswordAttemptsRecord = { attempts: number; lastAttemptAt: number };

export type UserRecord = {
  id: string;
  phone: string;
  type: UserType;
  passwordHash: string | null;
  createdAt: number;
};

export type PhoneRecord = { phone: string; primary: boolean; verifiedAt: number };

export type DeviceRecord = {
  userId: string;
  deviceId: string;
  name: string;
  platform: string;
  blocked: boolean;
  blockedAt: number | null;
  /** First signed in after another device of the account was blocked, and not yet recognised. */
  flagged: boolean;
  firstSeenAt: number;
  lastSeenAt: number;
};

export type SessionRecord = {
  id: string;
  tokenHash: string;
  userId: string;
  deviceId: string;
  loginId: string;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
  /** Set for sliding sessions: each use moves the expiry to now + this. */
  idleTtlMs: number | null;
  webCookie: WebCookieKind | null;
};

/** Whether a web session's cookie outlives the browser ("keep me signed in") or ends with it. */
export type WebCookieKind = 'kept' | 'browser';

export type LoginRecord = {
  id: string;
  userId: string;
  deviceId: string;
  deviceName: string;
  platform: string;
  ip: string;
  method: 'sms_code' | 'password';
  loginAt: number;
  logoutAt: number | null;
};
