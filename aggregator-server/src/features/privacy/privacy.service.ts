import type { Clock } from '../../platform/clock.js';
import { toIso } from '../../platform/clock.js';
import type { DomainEvents } from '../../platform/domain-events.js';
import { ApiError } from '../../http/api-error.js';
import type { ActivityVisibility, PrivacySettings } from '#common/contract/privacy.js';
import type { AccountService } from '../identity/account.service.js';
import type { ContactGraph } from '../contacts/contact-graph.js';
import type { ListKind, PrivacyRepository } from './privacy.repository.js';
import { hiddenFromViewer } from './discoverability.js';

/**
 * Privacy (M17), decided on the server: who may see a user's activity, which apps are shared, and the
 * block and allow lists. A block wins over everything.
 */
export class PrivacyService {
  constructor(
    private readonly deps: {
      repo: PrivacyRepository;
      contacts: Pick<ContactGraph, 'usersInBookOf' | 'whoHaveNumberOf'>;
      identity: Pick<AccountService, 'userExists'>;
      events: DomainEvents;
      clock: Clock;
    },
  ) {}

  /** Account deletion: the user's settings and both directions of every block and allow list. */
  deleteUser(userId: string): Promise<void> {
    return this.deps.repo.deleteUser(userId);
  }

  settings(userId: string): Promise<PrivacySettings> {
    return this.deps.repo.settings(userId);
  }

  /** The settings of many users at once (discovery and presence filter by them). */
  settingsOf(userIds: string[]): Promise<Map<string, PrivacySettings>> {
    return this.deps.repo.settingsOf(userIds);
  }

  /** Of `candidates`, those who put `userId` on their blocklist. */
  blockedByAmong(userId: string, candidates: string[]): Promise<string[]> {
    return this.deps.repo.blockedByAmong(userId, candidates);
  }

  /** Of `candidates`, those `userId` put on its list of `kind`. */
  listedAmong(kind: ListKind, userId: string, candidates: string[]): Promise<string[]> {
    return this.deps.repo.listedAmong(kind, userId, candidates);
  }

  async update(userId: string, change: Partial<PrivacySettings>): Promise<PrivacySettings> {
    const next = await this.deps.repo.changeSettings(userId, change, this.deps.clock.now());
    this.deps.events.emit('audienceChanged', { userId });
    return next;
  }

  async addToList(kind: ListKind, userId: string, otherId: string): Promise<void> {
    if (otherId === userId) throw new ApiError(400, 'validation_failed', 'you cannot put yourself on your own list');
    if (!(await this.deps.identity.userExists(otherId))) throw new ApiError(404, 'not_found', 'no such user');
    await this.deps.repo.addToList(kind, userId, otherId, this.deps.clock.now());
    this.deps.events.emit('audienceChanged', { userId });
    if (kind === 'blocklist') this.deps.events.emit('blocked', { userId, otherId });
  }

  async removeFromList(kind: ListKind, userId: string, otherId: string): Promise<void> {
    await this.deps.repo.removeFromList(kind, userId, otherId);
    this.deps.events.emit('audienceChanged', { userId });
  }

  async list(kind: ListKind, userId: string): Promise<{ userId: string; since: string }[]> {
    const entries = await this.deps.repo.list(kind, userId);
    return entries.map((entry) => ({ userId: entry.userId, since: toIso(entry.since) }));
  }

  /**
   * Every user who may see `subjectId`'s activity now; with `mode`, who would see something the subject
   * shows to that audience (an identity with its own `visibleTo`) under the same block and discovery rules.
   */
  async audienceOf(subjectId: string, mode?: ActivityVisibility): Promise<string[]> {
    const { repo, contacts } = this.deps;
    const settings = await repo.settings(subjectId);
    const audienceMode = mode ?? settings.activityVisibleTo;
    let candidates: string[];
    if (audienceMode === 'nobody') return [];
    if (audienceMode === 'allowlist') {
      candidates = (await repo.list('allowlist', subjectId)).map((entry) => entry.userId);
    } else {
      candidates = await contacts.whoHaveNumberOf(subjectId, await contacts.usersInBookOf(subjectId));
    }
    const blocked = new Set(await repo.listedAmong('blocklist', subjectId, candidates));
    let audience = candidates.filter((id) => !blocked.has(id));
    if (!settings.discoverable) {
      // Not discoverable: only people in the subject's own book (hiddenFromViewer, the same rule).
      const inOwnBook = new Set(await contacts.usersInBookOf(subjectId));
      audience = audience.filter((id) => inOwnBook.has(id));
    }
    return audience;
  }

  /**
   * For each person `viewerId` could see anything of, the audiences that admit the viewer: `contacts`
   * when both have each other's number, `allowlist` when the person listed the viewer. Blocked and
   * undiscoverable people are absent. The mirror image of audienceOf, for every mode at once.
   */
  async standingOf(viewerId: string): Promise<Map<string, ReadonlySet<ActivityVisibility>>> {
    const { repo, contacts } = this.deps;
    const inMyBook = await contacts.usersInBookOf(viewerId);
    const allowedMe = await repo.whoListed('allowlist', viewerId);
    const candidates = [...new Set([...inMyBook, ...allowedMe])];
    const standing = new Map<string, ReadonlySet<ActivityVisibility>>();
    if (candidates.length === 0) return standing;
    const [hidden, haveMyNumber] = await Promise.all([hiddenFromViewer(viewerId, candidates, { privacy: repo, contacts }), contacts.whoHaveNumberOf(viewerId, inMyBook)]);
    const mutual = new Set(haveMyNumber);
    const allowed = new Set(allowedMe);
    for (const subjectId of candidates) {
      if (hidden.has(subjectId)) continue;
      const modes = new Set<ActivityVisibility>();
      if (mutual.has(subjectId)) modes.add('contacts');
      if (allowed.has(subjectId)) modes.add('allowlist');
      if (modes.size > 0) standing.set(subjectId, modes);
    }
    return standing;
  }

  /** Every user whose activity `viewerId` may see now: the mirror image of audienceOf. */
  async visibleSubjectsFor(viewerId: string): Promise<string[]> {
    const standing = await this.standingOf(viewerId);
    if (standing.size === 0) return [];
    const settings = await this.deps.repo.settingsOf([...standing.keys()]);
    return [...standing].filter(([subjectId, modes]) => {
      const mode = settings.get(subjectId)?.activityVisibleTo;
      return mode !== undefined && modes.has(mode);
    }).map(([subjectId]) => subjectId);
  }

  async canSeeActivity(viewerId: string, subjectId: string): Promise<boolean> {
    if (viewerId === subjectId) return true;
    return (await this.audienceOf(subjectId)).includes(viewerId);
  }

  /** The apps of `apps` that the subject shares. */
  sharedApps(settings: PrivacySettings, apps: string[]): string[] {
    if (settings.sharedApps === 'all') return apps;
    const shared = new Set(settings.sharedApps);
    return apps.filter((app) => shared.has(app));
  }

  /** True when either of the two blocked the other: then neither can reach the other. */
  eitherBlocked(a: string, b: string): Promise<boolean> {
    return this.deps.repo.blockBetween(a, b);
  }
}
