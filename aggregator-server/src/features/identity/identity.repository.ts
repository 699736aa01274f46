import type { UserType } from '../../../../common/contract/identity.js';

/** What identity storage must do; implemented once over kysely for SQLite and PostgreSQL. */
export interface IdentityRepository {
  createVerification(record: VerificationRecord): Promise<void>;
  findVerification(id: string): Promise<VerificationRecord | undefined>;
  /** The newest verification for the number that is still usable at `now`. */
  findOpenVerification(phone: string, now: number): Promise<VerificationRecord | undefined>;
  recordResend(id: string, codeHash: string, now: number, expiresAt: number): Promise<void>;
  /** Adds one wrong check and returns the new count; atomic, so parallel guesses all count. */
  recordWrongCheck(id: string): Promise<number>;
  /** Marks the verification used; false when it was already used (a replayed code). */
  consumeVerification(id: string, now: number): Promise<boolean>;

  getPhoneFailures(phone: string): Promise<PhoneFailureRecord | undefined>;
  /** Adds one failure for the number and returns the new count; it survives new codes. */
  recordPhoneFailure(phone: string, now: number): Promise<number>;
  lockPhone(phone: string, until: number): Promise<void>;
  clearPhoneFailures(phone: string): Promise<void>;

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
  setPasswordHash(userId: string, hash: string, now: number): Promise<void>;
  setUserType(userId: string, type: UserType, now: number): Promise<boolean>;

  upsertDevice(userId: string, device: { id: string; name: string; platform: string }, now: number): Promise<DeviceRecord>;
  findDevice(userId: string, deviceId: string): Promise<DeviceRecord | undefined>;
  listDevices(userId: string): Promise<DeviceRecord[]>;
  setDeviceBlocked(userId: string, deviceId: string, blocked: boolean): Promise<boolean>;
  deleteDevice(userId: string, deviceId: string): Promise<boolean>;

  createSession(session: SessionRecord): Promise<void>;
  findSessionByTokenHash(tokenHash: string): Promise<SessionRecord | undefined>;
  revokeSession(sessionId: string, now: number): Promise<SessionRecord | undefined>;
  /** The sessions among `sessionIds` that still exist (revoked ones included). */
  findSessionsByIds(sessionIds: string[]): Promise<SessionRecord[]>;
  /** Revokes every live session of one device and returns them. */
  revokeDeviceSessions(userId: string, deviceId: string, now: number): Promise<SessionRecord[]>;
  /** Ids of the user's devices that hold a live session at `now`. */
  signedInDeviceIds(userId: string, now: number): Promise<string[]>;

  addLogin(entry: LoginRecord): Promise<void>;
  closeLogins(loginIds: string[], now: number): Promise<void>;
  listLogins(userId: string, limit: number): Promise<LoginRecord[]>;
}

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
  wrongChecks: number;
  consumedAt: number | null;
};

export type PhoneFailureRecord = { phone: string; failures: number; lastFailureAt: number; lockedUntil: number | null };

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
};

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
