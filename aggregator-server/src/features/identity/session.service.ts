import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { IdentityLimits } from '../../config.js';
import type { Clock } from '../../platform/clock.js';
import { decoyPasswordHash, generateToken, hashToken, verifyPassword } from '../../platform/crypto.js';
import type { RateLimiter } from '../../platform/rate-limiter.js';
import { ApiError, tooManyRequests } from '../../http/api-error.js';
import type { DeviceInput, SessionResponse } from '#common/contract/identity.js';
import { PhoneInUseError, type IdentityRepository, type SessionRecord, type UserRecord } from './identity.repository.js';
import type { PasswordThrottle } from './password-throttle.js';
import { normalisePhoneOrThrow } from './verification.service.js';

export type SessionEndReason = 'logout' | 'device_revoked' | 'device_blocked' | 'expired' | 'revoked' | 'replaced' | 'password_changed' | 'account_deleted';
export type SessionEnded = { sessionIds: string[]; userId: string; deviceId: string; reason: SessionEndReason };

/** Who made an authenticated request; `delegated` when by a short-lived delegation of the session. */
export type AuthContext = { user: UserRecord; session: SessionRecord; delegated?: true };

/** How long a delegation acts for its session. */
export const delegationTtlMs = 10 * 60_000;
const delegationPrefix = 'sbd1.';

/** How a new session is carried: a bearer token the client keeps, or a web cookie (kept or ending with the browser). */
export type SessionCarrier = { kind: 'bearer' } | { kind: 'cookie'; keepSignedIn: boolean };

/** A session just opened, with its token (the router puts it in a cookie or in the answer). */
export type OpenedSession = { token: string; session: SessionRecord; answer: SessionResponse };

/** A kept web session lasts this long without use; each use moves the end forward. */
export const keptWebSessionIdleMs = 30 * 24 * 60 * 60_000;
/** A web session whose cookie ends with the browser; the server cannot see the browser close, so it ends after this idle time. */
export const browserWebSessionIdleMs = 12 * 60 * 60_000;
/** A sliding session's expiry is written again at most this often, not on every request. */
const slideStepMs = 60_000;

/** A device first seen this soon after another device of the account was blocked is flagged for its owner. */
const flagNewDevicesAfterBlockMs = 30 * 24 * 60 * 60_000;

/**
 * Login by ticket or password, token checks, logout and device control (M1-M3).
 *
 * Devices: one live session per (user, device id): a new sign-in under a device id replaces the old
 * session (which ends with `replaced`) instead of adding a second one. Blocking a device ends its
 * sessions and refuses its id; since a client chooses its own id, a blocked device could come back under
 * a new one, so a block also takes away the password when the blocked device ever signed in with it, and
 * every device first seen within 30 days after a block is flagged in the owner's device list until the
 * owner recognises it (or blocks it too).
 */
export class SessionService {
  private readonly endedListeners = new Set<(event: SessionEnded) => void>();
  private readonly createdListeners = new Set<(event: { userId: string }) => void>();

  constructor(
    private readonly deps: {
      repo: IdentityRepository;
      limiter: RateLimiter;
      throttle: PasswordThrottle;
      clock: Clock;
      limits: IdentityLimits;
      /** Keyed MAC for delegations (the server secret): nothing is stored, and they end with their session. */
      sign: (value: string) => string;
    },
  ) {}

  /** A credential acting for the caller's session until it or the session ends; delegations cannot delegate. */
  delegate(auth: AuthContext): { token: string; expiresIn: number } {
    if (auth.delegated) throw new ApiError(403, 'forbidden', 'a delegated credential cannot make another one');
    const expiresAt = Math.min(this.deps.clock.now() + delegationTtlMs, auth.session.expiresAt);
    const body = `${auth.session.id}.${expiresAt}`;
    return { token: `${delegationPrefix}${body}.${this.deps.sign(`delegation\0${body}`)}`, expiresIn: Math.floor((expiresAt - this.deps.clock.now()) / 1000) };
  }

  private async authenticateDelegation(token: string): Promise<AuthContext> {
    const unauthorized = new ApiError(401, 'unauthorized', 'the credential has expired or its session ended; ask the app for a new one');
    const [sessionId, expiresAtText, mac] = token.slice(delegationPrefix.length).split('.');
    if (sessionId === undefined || expiresAtText === undefined || mac === undefined || !/^\d+$/.test(expiresAtText)) throw unauthorized;
    const expected = Buffer.from(this.deps.sign(`delegation\0${sessionId}.${expiresAtText}`));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw unauthorized;
    const now = this.deps.clock.now();
    if (Number(expiresAtText) <= now) throw unauthorized;
    const [session] = await this.deps.repo.findSessionsByIds([sessionId]);
    if (!session || session.revokedAt !== null || session.expiresAt <= now) throw unauthorized;
    const user = await this.deps.repo.findUserById(session.userId);
    if (!user) throw unauthorized;
    return { user, session, delegated: true };
  }

  /** Realtime listens here to drop the sockets of a session the moment it ends. */
  onSessionEnded(listener: (event: SessionEnded) => void): () => void {
    this.endedListeners.add(listener);
    return () => this.endedListeners.delete(listener);
  }

  /** Contacts listens here to tell the people who have the new user's number. */
  onUserCreated(listener: (event: { userId: string }) => void): () => void {
    this.createdListeners.add(listener);
    return () => this.createdListeners.delete(listener);
  }

  async loginWithTicket(ticket: string, device: DeviceInput, ip: string, carrier: SessionCarrier = { kind: 'bearer' }): Promise<OpenedSession> {
    const { repo, clock } = this.deps;
    const phone = await repo.consumeTicket(hashToken(ticket), clock.now());
    if (!phone) throw new ApiError(401, 'invalid_ticket', 'the ticket is unknown, used or expired; verify the number again');
    let user = await repo.findUserByPhone(phone);
    let created = false;
    if (!user) {
      try {
        user = await repo.createUser({ id: randomUUID(), phone, now: clock.now() });
        created = true;
        for (const listener of this.createdListeners) listener({ userId: user.id });
      } catch (error) {
        // Two first logins raced for one number: the other one created the user.
        if (!(error instanceof PhoneInUseError)) throw error;
        user = await repo.findUserByPhone(phone);
        if (!user) throw error;
      }
    }
    return this.openSession(user, device, ip, 'sms_code', created, carrier);
  }

  async loginWithPassword(
    input: { phone: string; region?: string | undefined; password: string; device: DeviceInput },
    ip: string,
    carrier: SessionCarrier = { kind: 'bearer' },
  ): Promise<OpenedSession> {
    const { repo, limiter, limits, throttle } = this.deps;
    const phone = normalisePhoneOrThrow(input.phone, input.region);
    const byIp = await limiter.hit(`password:ip:${ip}`, limits.passwordAttemptsPerIpPerHour, 60 * 60_000);
    if (!byIp.allowed) throw tooManyRequests('too_many_requests', 'too many login attempts from this address', byIp.retryAfterMs);
    // Charged before the password is compared, so a parallel burst is counted in full.
    await throttle.reserve(phone, ip);
    const user = await repo.findUserByPhone(phone);
    // Unknown numbers pay the same hashing cost, so timing does not reveal who is registered.
    const stored = user?.passwordHash ?? (await decoyPasswordHash());
    const passwordMatches = await verifyPassword(input.password, stored);
    if (!user || !user.passwordHash || !passwordMatches) {
      throw new ApiError(401, 'invalid_credentials', 'the number or the password is not right');
    }
    await throttle.succeeded(phone, ip);
    return this.openSession(user, input.device, ip, 'password', false, carrier);
  }

  async authenticate(token: string | undefined): Promise<AuthContext> {
    const unauthorized = new ApiError(401, 'unauthorized', 'sign in first: send Authorization: Bearer <token>');
    if (!token) throw unauthorized;
    if (token.startsWith(delegationPrefix)) return this.authenticateDelegation(token);
    const { repo, clock } = this.deps;
    const session = await repo.findSessionByTokenHash(hashToken(token));
    if (!session || session.revokedAt !== null) throw unauthorized;
    const now = clock.now();
    if (session.expiresAt <= now) throw new ApiError(401, 'unauthorized', 'the session has expired; sign in again');
    const user = await repo.findUserById(session.userId);
    if (!user) throw unauthorized;
    return { user, session: await this.slide(session, now) };
  }

  /** A sliding session in use lives on: its end moves to now + its idle time (written once a minute at most). */
  private async slide(session: SessionRecord, now: number): Promise<SessionRecord> {
    if (session.idleTtlMs === null) return session;
    const expiresAt = now + session.idleTtlMs;
    if (expiresAt - session.expiresAt < slideStepMs) return session;
    return (await this.deps.repo.extendSession(session.id, expiresAt, now)) ? { ...session, expiresAt } : session;
  }

  async logout(auth: AuthContext): Promise<void> {
    const now = this.deps.clock.now();
    const revoked = await this.deps.repo.revokeSession(auth.session.id, now);
    if (!revoked) return;
    await this.deps.repo.closeLogins([revoked.loginId], now);
    this.emitEnded({ sessionIds: [revoked.id], userId: revoked.userId, deviceId: revoked.deviceId, reason: 'logout' });
  }

  /**
   * Signs a device out everywhere at once; with `block` its id may not sign in again until unblocked,
   * and the password goes if the device ever used it (see the class comment).
   */
  async revokeDevice(userId: string, deviceId: string, block: boolean): Promise<boolean> {
    const { repo, clock } = this.deps;
    const device = await repo.findDevice(userId, deviceId);
    if (!device) return false;
    const now = clock.now();
    if (block) {
      await repo.setDeviceBlocked(userId, deviceId, true, now);
      if (await repo.deviceUsedPassword(userId, deviceId)) await repo.setPasswordHash(userId, null, now);
    }
    await this.endSessions(await repo.revokeDeviceSessions(userId, deviceId, now), block ? 'device_blocked' : 'device_revoked', now);
    return true;
  }

  /** Ends every session of the user but `keep` (a password change signs the others out). */
  async signOutOthers(userId: string, keep: SessionRecord | undefined): Promise<void> {
    const now = this.deps.clock.now();
    await this.endSessions(await this.deps.repo.revokeUserSessions(userId, keep?.id, now), 'password_changed', now);
  }

  /** Ends every session of a user whose account is being deleted; their sockets are told and dropped. */
  async endAllForDeletion(userId: string): Promise<void> {
    const now = this.deps.clock.now();
    await this.endSessions(await this.deps.repo.revokeUserSessions(userId, undefined, now), 'account_deleted', now);
  }

  private async endSessions(revoked: SessionRecord[], reason: SessionEndReason, now: number): Promise<void> {
    await this.deps.repo.closeLogins(revoked.map((session) => session.loginId), now);
    // The revoked sessions all belong to one user; realtime is told per device.
    const byDevice = new Map<string, SessionRecord[]>();
    for (const session of revoked) byDevice.set(session.deviceId, [...(byDevice.get(session.deviceId) ?? []), session]);
    for (const [deviceId, sessions] of byDevice) {
      const userId = sessions[0]?.userId;
      if (userId) this.emitEnded({ sessionIds: sessions.map((session) => session.id), userId, deviceId, reason });
    }
  }

  private async openSession(
    user: UserRecord,
    device: DeviceInput,
    ip: string,
    method: 'sms_code' | 'password',
    created: boolean,
    carrier: SessionCarrier,
  ): Promise<OpenedSession> {
    const { repo, clock, limits } = this.deps;
    const known = await repo.findDevice(user.id, device.id);
    if (known?.blocked) throw new ApiError(403, 'device_blocked', 'this device was blocked by the account owner');
    const now = clock.now();
    let flagged = false;
    if (!known) {
      const lastBlockAt = await repo.lastDeviceBlockAt(user.id);
      flagged = lastBlockAt !== null && now - lastBlockAt < flagNewDevicesAfterBlockMs;
    }
    await repo.upsertDevice(user.id, device, now, flagged);
    const loginId = randomUUID();
    await repo.addLogin({
      id: loginId,
      userId: user.id,
      deviceId: device.id,
      deviceName: device.name,
      platform: device.platform,
      ip,
      method,
      loginAt: now,
      logoutAt: null,
    });
    const token = generateToken();
    const idleTtlMs = carrier.kind === 'cookie' ? (carrier.keepSignedIn ? keptWebSessionIdleMs : browserWebSessionIdleMs) : null;
    const session: SessionRecord = {
      id: randomUUID(),
      tokenHash: hashToken(token),
      userId: user.id,
      deviceId: device.id,
      loginId,
      createdAt: now,
      expiresAt: now + (idleTtlMs ?? limits.sessionTtlMs),
      revokedAt: null,
      idleTtlMs,
      webCookie: carrier.kind === 'cookie' ? (carrier.keepSignedIn ? 'kept' : 'browser') : null,
    };
    // One live session per device id: an earlier one ends cleanly (`replaced`) rather than merging with this one.
    const opened = await repo.openDeviceSession(session, now);
    if (opened === 'blocked') {
      await repo.closeLogins([loginId], now);
      throw new ApiError(403, 'device_blocked', 'this device was blocked by the account owner');
    }
    await this.endSessions(opened.replaced, 'replaced', now);
    const userView = { id: user.id, phone: user.phone };
    // A cookie session's token never reaches the page's script: only the Set-Cookie header carries it.
    return { token, session, answer: carrier.kind === 'cookie' ? { user: userView, created } : { token, user: userView, created } };
  }

  /**
   * Of `sessionIds`, those that are no longer valid, with why: realtime re-checks live sockets with this,
   * so a revocation it missed (a node or Redis was down) or an expiry still ends them. `revoked` when the
   * cause of a revocation is not known any more.
   */
  async endedAmong(sessionIds: string[]): Promise<Map<string, 'expired' | 'revoked'>> {
    const unique = [...new Set(sessionIds)];
    const found = new Map((await this.deps.repo.findSessionsByIds(unique)).map((session) => [session.id, session]));
    const now = this.deps.clock.now();
    const ended = new Map<string, 'expired' | 'revoked'>();
    for (const id of unique) {
      const session = found.get(id);
      if (!session || session.revokedAt !== null) ended.set(id, 'revoked');
      else if (session.expiresAt <= now) ended.set(id, 'expired');
    }
    return ended;
  }

  private emitEnded(event: SessionEnded): void {
    if (event.sessionIds.length === 0) return;
    for (const listener of this.endedListeners) listener(event);
  }
}
