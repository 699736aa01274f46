import { randomUUID } from 'node:crypto';
import type { IdentityLimits } from '../../config.js';
import type { Clock } from '../../platform/clock.js';
import { decoyPasswordHash, generateToken, hashToken, verifyPassword } from '../../platform/crypto.js';
import type { RateLimiter } from '../../platform/rate-limiter.js';
import { ApiError, tooManyRequests } from '../../http/api-error.js';
import type { DeviceInput, SessionResponse } from '../../../../common/contract/identity.js';
import { PhoneInUseError, type IdentityRepository, type SessionRecord, type UserRecord } from './identity.repository.js';
import type { PhoneGuard } from './phone-guard.js';
import { normalisePhoneOrThrow } from './verification.service.js';

export type SessionEndReason = 'logout' | 'device_revoked' | 'device_blocked' | 'expired' | 'revoked';
export type SessionEnded = { sessionIds: string[]; userId: string; deviceId: string; reason: SessionEndReason };

/** Who made an authenticated request. */
export type AuthContext = { user: UserRecord; session: SessionRecord };

/** Login by ticket or password, token checks, logout and device control (M1-M3). */
export class SessionService {
  private readonly endedListeners = new Set<(event: SessionEnded) => void>();

  constructor(
    private readonly deps: {
      repo: IdentityRepository;
      limiter: RateLimiter;
      guard: PhoneGuard;
      clock: Clock;
      limits: IdentityLimits;
    },
  ) {}

  /** Realtime listens here to drop the sockets of a session the moment it ends. */
  onSessionEnded(listener: (event: SessionEnded) => void): () => void {
    this.endedListeners.add(listener);
    return () => this.endedListeners.delete(listener);
  }

  async loginWithTicket(ticket: string, device: DeviceInput, ip: string): Promise<SessionResponse> {
    const { repo, clock } = this.deps;
    const phone = await repo.consumeTicket(hashToken(ticket), clock.now());
    if (!phone) throw new ApiError(401, 'invalid_ticket', 'the ticket is unknown, used or expired; verify the number again');
    let user = await repo.findUserByPhone(phone);
    let created = false;
    if (!user) {
      try {
        user = await repo.createUser({ id: randomUUID(), phone, now: clock.now() });
        created = true;
      } catch (error) {
        // Two first logins raced for one number: the other one created the user.
        if (!(error instanceof PhoneInUseError)) throw error;
        user = await repo.findUserByPhone(phone);
        if (!user) throw error;
      }
    }
    return this.openSession(user, device, ip, 'sms_code', created);
  }

  async loginWithPassword(input: { phone: string; region?: string | undefined; password: string; device: DeviceInput }, ip: string): Promise<SessionResponse> {
    const { repo, limiter, limits, guard } = this.deps;
    const phone = normalisePhoneOrThrow(input.phone, input.region);
    const byIp = await limiter.hit(`password:ip:${ip}`, limits.passwordAttemptsPerIpPerHour, 60 * 60_000);
    if (!byIp.allowed) throw tooManyRequests('too_many_requests', 'too many login attempts from this address', byIp.retryAfterMs);
    await guard.assertMayTry(phone);
    const user = await repo.findUserByPhone(phone);
    // Unknown numbers pay the same hashing cost, so timing does not reveal who is registered.
    const stored = user?.passwordHash ?? (await decoyPasswordHash());
    const passwordMatches = await verifyPassword(input.password, stored);
    if (!user || !user.passwordHash || !passwordMatches) {
      await guard.recordFailure(phone);
      throw new ApiError(401, 'invalid_credentials', 'the number or the password is not right');
    }
    await guard.recordSuccess(phone);
    return this.openSession(user, input.device, ip, 'password', false);
  }

  async authenticate(token: string | undefined): Promise<AuthContext> {
    const unauthorized = new ApiError(401, 'unauthorized', 'sign in first: send Authorization: Bearer <token>');
    if (!token) throw unauthorized;
    const { repo, clock } = this.deps;
    const session = await repo.findSessionByTokenHash(hashToken(token));
    if (!session || session.revokedAt !== null) throw unauthorized;
    if (session.expiresAt <= clock.now()) throw new ApiError(401, 'unauthorized', 'the session has expired; sign in again');
    const user = await repo.findUserById(session.userId);
    if (!user) throw unauthorized;
    return { user, session };
  }

  async logout(auth: AuthContext): Promise<void> {
    const now = this.deps.clock.now();
    const revoked = await this.deps.repo.revokeSession(auth.session.id, now);
    if (!revoked) return;
    await this.deps.repo.closeLogins([revoked.loginId], now);
    this.emitEnded({ sessionIds: [revoked.id], userId: revoked.userId, deviceId: revoked.deviceId, reason: 'logout' });
  }

  /** Signs a device out everywhere at once; with `block` it may not sign in again until unblocked. */
  async revokeDevice(userId: string, deviceId: string, block: boolean): Promise<boolean> {
    const { repo, clock } = this.deps;
    const device = await repo.findDevice(userId, deviceId);
    if (!device) return false;
    if (block) await repo.setDeviceBlocked(userId, deviceId, true);
    const now = clock.now();
    const revoked = await repo.revokeDeviceSessions(userId, deviceId, now);
    await repo.closeLogins(revoked.map((session) => session.loginId), now);
    this.emitEnded({ sessionIds: revoked.map((session) => session.id), userId, deviceId, reason: block ? 'device_blocked' : 'device_revoked' });
    return true;
  }

  private async openSession(user: UserRecord, device: DeviceInput, ip: string, method: 'sms_code' | 'password', created: boolean): Promise<SessionResponse> {
    const { repo, clock, limits } = this.deps;
    const known = await repo.findDevice(user.id, device.id);
    if (known?.blocked) throw new ApiError(403, 'device_blocked', 'this device was blocked by the account owner');
    const now = clock.now();
    await repo.upsertDevice(user.id, device, now);
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
    await repo.createSession({
      id: randomUUID(),
      tokenHash: hashToken(token),
      userId: user.id,
      deviceId: device.id,
      loginId,
      createdAt: now,
      expiresAt: now + limits.sessionTtlMs,
      revokedAt: null,
    });
    return { token, user: { id: user.id, phone: user.phone }, created };
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
