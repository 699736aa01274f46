import type { ContactLimits } from '../../config.js';
import type { Clock } from '../../platform/clock.js';
import type { Keyring } from '../../platform/crypto.js';
import type { DomainEvents } from '../../platform/domain-events.js';
import type { RateLimiter } from '../../platform/rate-limiter.js';
import { ApiError, tooManyRequests } from '../../http/api-error.js';
import { inSlices } from '../../platform/slices.js';
import type {
  AddressBookChangesResponse,
  AddressBookEntry,
  AddressBookMatch,
  AddressBookResponse,
  AddressBookSnapshot,
  ContactView,
} from '#common/contract/contacts.js';
import type { AuthContext } from '../identity/session.service.js';
import type { PrivacyService } from '../privacy/privacy.service.js';
import type { IdentitiesService } from '../identities/identities.service.js';
import { hiddenFromViewer } from '../privacy/discoverability.js';
import { VersionConflictError, type ContactsRepository, type StoredEntry } from './contacts.repository.js';

const dayMs = 24 * 60 * 60_000;

/**
 * Address-book upload and discovery (M8-M10). Numbers arrive in E.164 and are kept only as keyed hashes;
 * matches say which entries belong to users who may be found and have not blocked the uploader.
 */
export class ContactsService {
  constructor(
    private readonly deps: {
      repo: ContactsRepository;
      privacy: Pick<PrivacyService, 'settingsOf' | 'blockedByAmong' | 'listedAmong'>;
      identities: Pick<IdentitiesService, 'sharedWith'>;
      keyring: Keyring;
      limiter: RateLimiter;
      events: DomainEvents;
      clock: Clock;
      limits: ContactLimits;
    },
  ) {}

  /** Account deletion: everything this feature keeps about the user goes. */
  deleteUser(userId: string): Promise<void> {
    return this.deps.repo.deleteUser(userId);
  }

  async replace(auth: AuthContext, entries: AddressBookEntry[], ip: string): Promise<AddressBookResponse> {
    const userId = auth.user.id;
    const stored = await this.hashEntries(entries);
    const firstUpload = (await this.deps.repo.bookVersion(userId)) === 0 && (await this.claimFirstUpload(userId));
    await this.chargeQuota(userId, stored, ip, firstUpload).catch(async (error: unknown) => {
      // Refused (the address's quota): the exemption stays for the user's next try.
      if (firstUpload) await this.releaseFirstUpload(userId);
      throw error;
    });
    const version = await this.deps.repo.replaceBook(userId, stored, this.deps.clock.now());
    this.announce(auth, version);
    return { version, matches: await this.matches(userId) };
  }

  async patch(auth: AuthContext, change: { baseVersion: number; add: AddressBookEntry[]; remove: string[] }, ip: string): Promise<AddressBookResponse> {
    const userId = auth.user.id;
    const stored = await this.hashEntries(change.add);
    const current = await this.deps.repo.bookVersion(userId);
    if (current !== change.baseVersion) throw versionConflict(current);
    const firstUpload = current === 0 && (await this.claimFirstUpload(userId));
    await this.chargeQuota(userId, stored, ip, firstUpload).catch(async (error: unknown) => {
      if (firstUpload) await this.releaseFirstUpload(userId);
      throw error;
    });
    let version: number;
    try {
      version = await this.deps.repo.patchBook(userId, change.baseVersion, stored, change.remove, this.deps.clock.now());
    } catch (error) {
      if (error instanceof VersionConflictError) throw versionConflict(error.currentVersion);
      throw error;
    }
    this.announce(auth, version);
    return { version, matches: await this.matches(userId) };
  }

  async snapshot(userId: string): Promise<AddressBookSnapshot> {
    const snapshot = await this.deps.repo.snapshot(userId);
    return {
      version: snapshot.version,
      entries: snapshot.entries.map((entry) => (entry.sealed === undefined ? { ref: entry.ref } : { ref: entry.ref, sealed: entry.sealed })),
      matches: await this.matches(userId),
    };
  }

  async changesSince(userId: string, since: number): Promise<AddressBookChangesResponse> {
    const result = await this.deps.repo.changesSince(userId, since);
    return {
      version: result.version,
      complete: result.complete,
      changes: result.changes.map((change) => (change.sealed === undefined ? { version: change.version, op: change.op, ref: change.ref } : { ...change, sealed: change.sealed })),
    };
  }

  /**
   * A new user's number may sit in other people's books: each owner who may find them (the same rule as
   * matches) is told to fetch their contacts again, so "Not on Switchboard" turns live into a user.
   */
  async announceJoined(userId: string): Promise<void> {
    const owners = await this.deps.repo.ownersOfNumberOf(userId);
    const told: string[] = [];
    for (const owner of owners) {
      const hidden = await hiddenFromViewer(owner, [userId], { privacy: this.deps.privacy, contacts: this.deps.repo });
      if (!hidden.has(userId)) told.push(owner);
    }
    if (told.length > 0) this.deps.events.emit('contactsChanged', { userIds: told });
  }

  /** Entries that are users who may be found by this uploader (see hiddenFromViewer for who may not). */
  async matches(userId: string): Promise<AddressBookMatch[]> {
    const raw = await this.deps.repo.rawMatches(userId);
    const candidates = [...new Set(raw.map((match) => match.userId))];
    if (candidates.length === 0) return [];
    const hidden = await hiddenFromViewer(userId, candidates, { privacy: this.deps.privacy, contacts: this.deps.repo });
    return raw.filter((match) => !hidden.has(match.userId)).sort((a, b) => a.ref.localeCompare(b.ref) || a.phone.localeCompare(b.phone));
  }

  async contacts(userId: string): Promise<(ContactView & { blocked: boolean })[]> {
    const matches = await this.matches(userId);
    const byUser = new Map<string, { phone: string; refs: Set<string> }>();
    for (const match of matches) {
      const contact = byUser.get(match.userId) ?? { phone: match.phone, refs: new Set<string>() };
      contact.refs.add(match.ref);
      byUser.set(match.userId, contact);
    }
    const ids = [...byUser.keys()];
    const [mutual, blocked, shared] = await Promise.all([
      this.deps.repo.whoHaveNumberOf(userId, ids),
      this.deps.privacy.listedAmong('blocklist', userId, ids),
      this.deps.identities.sharedWith(userId, ids),
    ]);
    const mutualSet = new Set(mutual);
    const blockedSet = new Set(blocked);
    return ids.map((id) => {
      const contact = byUser.get(id) as { phone: string; refs: Set<string> };
      return { userId: id, phone: contact.phone, mutual: mutualSet.has(id), refs: [...contact.refs].sort(), blocked: blockedSet.has(id), identities: shared.get(id) ?? {} };
    });
  }

  /** Hashing 20,000 entries takes a while: done in slices so the event loop keeps serving others. */
  private async hashEntries(entries: AddressBookEntry[]): Promise<StoredEntry[]> {
    const slices = await inSlices(entries, 1000, (slice) =>
      slice.map((entry) => ({
        ref: entry.ref,
        phoneHashes: [...new Set(entry.phones)].map((phone) => this.deps.keyring.phoneHash(phone)),
        sealed: entry.sealed,
      })),
    );
    return slices.flat();
  }

  /**
   * The first upload's exemption is given once: parallel "first" uploads (all seeing an empty book) would
   * otherwise each check a whole book's worth of numbers outside the daily quota.
   */
  private async claimFirstUpload(userId: string): Promise<boolean> {
    const claim = await this.deps.limiter.hit(`discovery:first-upload:${userId}`, 1, 365 * dayMs);
    // Only the holder's count stays, so that a release really frees the exemption.
    if (!claim.allowed) await this.releaseFirstUpload(userId);
    return claim.allowed;
  }

  private async releaseFirstUpload(userId: string): Promise<void> {
    await this.deps.limiter.hit(`discovery:first-upload:${userId}`, 1, 365 * dayMs, -1);
  }

  /**
   * Counts numbers the user's book does not hold yet and that were not already counted today (an entry
   * removed and added back the same day costs nothing more). The first upload brings a whole address
   * book and is exempt per account; every later one, and every upload per address, is held to a daily
   * quota so that nobody can sweep the number space to learn who uses Switchboard.
   */
  private async chargeQuota(userId: string, entries: StoredEntry[], ip: string, firstUpload: boolean): Promise<void> {
    const { repo, limiter, limits, clock } = this.deps;
    const day = Math.floor(clock.now() / dayMs);
    const unknown = await repo.unknownHashes(userId, entries.flatMap((entry) => entry.phoneHashes));
    const chargedToday = new Set(await repo.chargedOn(userId, day, unknown));
    const fresh = unknown.filter((hash) => !chargedToday.has(hash));
    if (fresh.length === 0) return;
    const byIp = await limiter.hit(`discovery:ip:${ip}`, limits.newNumbersPerIpPerDay, dayMs, fresh.length);
    if (!byIp.allowed) {
      await limiter.hit(`discovery:ip:${ip}`, limits.newNumbersPerIpPerDay, dayMs, -fresh.length);
      throw tooManyRequests('too_many_requests', 'too many new numbers from this address today; nothing was stored', byIp.retryAfterMs);
    }
    if (!firstUpload) {
      const byUser = await limiter.hit(`discovery:user:${userId}`, limits.newNumbersPerUserPerDay, dayMs, fresh.length);
      if (!byUser.allowed) {
        await limiter.hit(`discovery:user:${userId}`, limits.newNumbersPerUserPerDay, dayMs, -fresh.length);
        await limiter.hit(`discovery:ip:${ip}`, limits.newNumbersPerIpPerDay, dayMs, -fresh.length);
        throw tooManyRequests('too_many_requests', `at most ${limits.newNumbersPerUserPerDay} new numbers a day; nothing was stored`, byUser.retryAfterMs);
      }
    }
    await repo.recordCharges(userId, day, fresh);
  }

  private announce(auth: AuthContext, version: number): void {
    this.deps.events.emit('addressBookChanged', { userId: auth.user.id, sessionId: auth.session.id, version });
    this.deps.events.emit('audienceChanged', { userId: auth.user.id });
  }
}

function versionConflict(currentVersion: number): ApiError {
  return new ApiError(409, 'version_conflict', 'the address book changed on another device; fetch the changes and retry', { currentVersion });
}
