import type { Clock } from '../../platform/clock.js';
import { toIso } from '../../platform/clock.js';
import { hashPassword, hashToken, verifyPassword } from '../../platform/crypto.js';
import { ApiError } from '../../http/api-error.js';
import type { DeviceView, LoginLogEntry, MeResponse, UserType } from '#common/contract/identity.js';
import { PhoneInUseError, type IdentityRepository } from './identity.repository.js';
import type { PasswordThrottle } from './password-throttle.js';
import type { AuthContext, SessionService } from './session.service.js';

/** A feature that keeps data about users: account deletion asks each one to delete its part. */
export type UserDataOwner = { deleteUser(userId: string): Promise<void> };

/** The signed-in user's own account: numbers (M4, M5), password (M3), devices (M2), type and login log (M6). */
export class AccountService {
  constructor(
    private readonly deps: { repo: IdentityRepository; sessions: SessionService; throttle: PasswordThrottle; clock: Clock },
  ) {}

  private readonly dataOwners: UserDataOwner[] = [];

  /** Every feature that keeps data about users registers here (server.ts), so that deletion reaches it. */
  addDataOwner(owner: UserDataOwner): void {
    this.dataOwners.push(owner);
  }

  /**
   * Deletes the account and everything every feature keeps about it, once the person confirmed with
   * their password or a fresh code. Sessions end first (their sockets are told `account_deleted`), so
   * nothing acts for the account while its data goes.
   */
  async deleteAccount(auth: AuthContext, confirmation: { password?: string | undefined; ticket?: string | undefined }, ip: string): Promise<void> {
    const { repo, sessions, throttle } = this.deps;
    const userId = auth.user.id;
    const phones = (await repo.listPhones(userId)).map((entry) => entry.phone);
    if (confirmation.password !== undefined) {
      // Counted like a password sign-in, so a stolen session cannot guess the password here instead.
      await throttle.reserve(auth.user.phone, ip);
      if (auth.user.passwordHash === null || !(await verifyPassword(confirmation.password, auth.user.passwordHash))) {
        throw new ApiError(401, 'invalid_credentials', 'the password is not right');
      }
    } else if (confirmation.ticket !== undefined) {
      const proven = await repo.consumeTicket(hashToken(confirmation.ticket), this.deps.clock.now());
      if (proven === undefined || !phones.includes(proven)) throw new ApiError(401, 'invalid_ticket', 'confirm with a code sent to one of your own numbers');
    } else {
      throw new ApiError(403, 'confirmation_required', 'confirm with your password or a fresh SMS code');
    }
    await sessions.endAllForDeletion(userId);
    for (const owner of this.dataOwners) await owner.deleteUser(userId);
    const addresses = [...new Set((await repo.listLogins(userId, 10_000)).map((entry) => entry.ip))];
    const counterKeys = phones.flatMap((phone) => throttle.keysOf(phone, addresses));
    await repo.deleteUserData(userId, phones, counterKeys);
  }

  async me(userId: string): Promise<MeResponse> {
    const { repo } = this.deps;
    const user = await repo.findUserById(userId);
    if (!user) throw new ApiError(404, 'not_found', 'no such user');
    const phones = await repo.listPhones(userId);
    return {
      id: user.id,
      phone: user.phone,
      phones: phones.map((phone) => ({ phone: phone.phone, primary: phone.primary, verifiedAt: toIso(phone.verifiedAt) })),
      type: user.type,
      hasPassword: user.passwordHash !== null,
      createdAt: toIso(user.createdAt),
    };
  }

  /** Whether a user with this id exists (other features check before referring to one). */
  async userExists(userId: string): Promise<boolean> {
    return (await this.deps.repo.findUserById(userId)) !== undefined;
  }

  /** The user who verified this number, if any (other features address people by number). */
  async userIdByPhone(phone: string): Promise<string | undefined> {
    return (await this.deps.repo.findUserByPhone(phone))?.id;
  }

  /** Each user's primary number, for showing who wrote what. */
  async primaryPhones(userIds: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const userId of new Set(userIds)) {
      const user = await this.deps.repo.findUserById(userId);
      if (user) found.set(userId, user.phone);
    }
    return found;
  }

  /** Sets the password; by default every other session of the account ends (`password_changed`). */
  async setPassword(auth: AuthContext, request: { password: string; signOutOthers: boolean }): Promise<void> {
    await this.deps.repo.setPasswordHash(auth.user.id, await hashPassword(request.password), this.deps.clock.now());
    if (request.signOutOthers) await this.deps.sessions.signOutOthers(auth.user.id, auth.session);
  }

  /** Adds a further number, proven by a ticket from a code sent to it. */
  async addPhone(userId: string, ticket: string): Promise<MeResponse> {
    const phone = await this.redeem(ticket);
    try {
      await this.deps.repo.addPhone(userId, phone, this.deps.clock.now());
    } catch (error) {
      if (error instanceof PhoneInUseError) throw new ApiError(409, 'phone_in_use', 'this number belongs to another account');
      throw error;
    }
    return this.me(userId);
  }

  /** Moves the account to a new number: the id, contacts and relations stay; the old number is freed. */
  async changePrimaryPhone(userId: string, ticket: string): Promise<MeResponse> {
    const phone = await this.redeem(ticket);
    try {
      await this.deps.repo.replacePrimaryPhone(userId, phone, this.deps.clock.now());
    } catch (error) {
      if (error instanceof PhoneInUseError) throw new ApiError(409, 'phone_in_use', 'this number belongs to another account');
      throw error;
    }
    return this.me(userId);
  }

  async removePhone(userId: string, phone: string): Promise<void> {
    const phones = await this.deps.repo.listPhones(userId);
    const found = phones.find((entry) => entry.phone === phone);
    if (!found) throw new ApiError(404, 'phone_not_found', 'this number is not on your account');
    if (found.primary) throw new ApiError(409, 'cannot_remove_primary', 'change the primary number first');
    await this.deps.repo.removePhone(userId, phone);
  }

  async devices(auth: AuthContext): Promise<(DeviceView & { signedIn: boolean })[]> {
    const { repo, clock } = this.deps;
    const devices = await repo.listDevices(auth.user.id);
    const signedIn = new Set(await repo.signedInDeviceIds(auth.user.id, clock.now()));
    return devices.map((device) => ({
      id: device.deviceId,
      name: device.name,
      platform: device.platform,
      blocked: device.blocked,
      flagged: device.flagged,
      current: device.deviceId === auth.session.deviceId,
      signedIn: signedIn.has(device.deviceId),
      firstSeenAt: toIso(device.firstSeenAt),
      lastSeenAt: toIso(device.lastSeenAt),
    }));
  }

  /** Blocks or unblocks a device, or recognises a flagged one. */
  async updateDevice(userId: string, deviceId: string, change: { blocked?: boolean | undefined; trusted?: true | undefined }): Promise<void> {
    const { repo, sessions, clock } = this.deps;
    const notFound = new ApiError(404, 'not_found', 'no such device');
    if (change.trusted && !(await repo.setDeviceTrusted(userId, deviceId))) throw notFound;
    if (change.blocked === true && !(await sessions.revokeDevice(userId, deviceId, true))) throw notFound;
    if (change.blocked === false && !(await repo.setDeviceBlocked(userId, deviceId, false, clock.now()))) throw notFound;
  }

  async signOutDevice(userId: string, deviceId: string): Promise<void> {
    if (!(await this.deps.sessions.revokeDevice(userId, deviceId, false))) throw new ApiError(404, 'not_found', 'no such device');
  }

  async logins(userId: string, limit: number): Promise<LoginLogEntry[]> {
    const entries = await this.deps.repo.listLogins(userId, limit);
    return entries.map((entry) => ({
      id: entry.id,
      deviceId: entry.deviceId,
      deviceName: entry.deviceName,
      platform: entry.platform,
      ip: entry.ip,
      method: entry.method,
      loginAt: toIso(entry.loginAt),
      logoutAt: entry.logoutAt === null ? null : toIso(entry.logoutAt),
    }));
  }

  async setUserType(userId: string, type: UserType): Promise<void> {
    if (!(await this.deps.repo.setUserType(userId, type, this.deps.clock.now()))) throw new ApiError(404, 'not_found', 'no such user');
  }

  private async redeem(ticket: string): Promise<string> {
    const phone = await this.deps.repo.consumeTicket(hashToken(ticket), this.deps.clock.now());
    if (!phone) throw new ApiError(401, 'invalid_ticket', 'the ticket is unknown, used or expired; verify the number again');
    return phone;
  }
}
