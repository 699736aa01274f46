import type { PostAudience } from '#common/contract/posts.js';
import type { ActivityVisibility } from '#common/contract/privacy.js';
import type { PresenceService } from '../presence/presence.service.js';
import type { PrivacyService } from '../privacy/privacy.service.js';

/** The audiences that admit a viewer to one person's things: `contacts` (mutual numbers), `allowlist`. */
export type Standing = ReadonlySet<'contacts' | 'allowlist'>;

/**
 * Who may see what a user publishes (profile, posts, albums), decided with the rules of activity
 * (privacy): mutual contacts or the allowlist, a block in either direction hides everything, an
 * undiscoverable user exists only for the people in their own book, and nothing of an invisible user
 * reaches anyone. The owner always sees their own things.
 */
export class VisibilityService {
  constructor(
    private readonly deps: {
      privacy: Pick<PrivacyService, 'standingOf' | 'settingsOf' | 'audienceOf' | 'listedAmong' | 'blockedByAmong'>;
      /** Late-bound: presence starts with the socket server, after the HTTP routes. */
      presence: () => Pick<PresenceService, 'invisibleAmong'>;
    },
  ) {}

  /** Everyone whose things `viewerId` may see some of, with the audiences that admit the viewer. */
  async standingOf(viewerId: string): Promise<Map<string, Standing>> {
    const standing = new Map<string, Standing>();
    for (const [subjectId, modes] of await this.deps.privacy.standingOf(viewerId)) {
      const kept = new Set([...modes].filter((mode): mode is 'contacts' | 'allowlist' => mode !== 'nobody'));
      if (kept.size > 0) standing.set(subjectId, kept);
    }
    const subjects = [...standing.keys()];
    if (subjects.length === 0) return standing;
    const [blockedByViewer, invisible] = await Promise.all([this.deps.privacy.listedAmong('blocklist', viewerId, subjects), this.deps.presence().invisibleAmong(subjects)]);
    for (const id of [...blockedByViewer, ...invisible]) standing.delete(id);
    return standing;
  }

  /** The standing of `viewerId` toward one owner (empty when nothing of theirs is visible). */
  async standingToward(viewerId: string, ownerId: string): Promise<Standing> {
    return (await this.standingOf(viewerId)).get(ownerId) ?? new Set();
  }

  /** Whether something of `ownerId` shown to `audience` may be seen by `viewerId`. */
  async admits(viewerId: string, ownerId: string, audience: PostAudience): Promise<boolean> {
    if (viewerId === ownerId) return true;
    if (audience === 'private') return false;
    return (await this.standingToward(viewerId, ownerId)).has(audience);
  }

  /** Every user, the owner aside, who may see something `ownerId` shows to `audience` now (for live pushes). */
  async audienceOf(ownerId: string, audience: PostAudience): Promise<string[]> {
    if (audience === 'private') return [];
    const [invisible, candidates] = await Promise.all([this.deps.presence().invisibleAmong([ownerId]), this.deps.privacy.audienceOf(ownerId, audience)]);
    if (invisible.has(ownerId) || candidates.length === 0) return [];
    // audienceOf leaves out those the owner blocked; those who blocked the owner do not see them either.
    const blockedOwner = new Set(await this.deps.privacy.blockedByAmong(ownerId, candidates));
    return candidates.filter((id) => !blockedOwner.has(id));
  }

  /** The audience of a user's profile (and of posts without an explicit one): their activity setting. */
  async profileAudiences(ownerIds: string[]): Promise<Map<string, PostAudience>> {
    const settings = await this.deps.privacy.settingsOf(ownerIds);
    return new Map(ownerIds.map((id) => [id, audienceOfActivity(settings.get(id)?.activityVisibleTo ?? 'contacts')]));
  }

  /** Whether some users blocked the viewer or were blocked by them (comments of those are not shown). */
  async blockedEitherWay(viewerId: string, others: string[]): Promise<Set<string>> {
    if (others.length === 0) return new Set();
    const [theyBlocked, iBlocked] = await Promise.all([this.deps.privacy.blockedByAmong(viewerId, others), this.deps.privacy.listedAmong('blocklist', viewerId, others)]);
    return new Set([...theyBlocked, ...iBlocked]);
  }
}

export function audienceOfActivity(mode: ActivityVisibility): PostAudience {
  return mode === 'nobody' ? 'private' : mode;
}

/** Whether a standing admits `audience` (the owner is handled by the caller). */
export function standingAdmits(standing: Standing | undefined, audience: PostAudience): boolean {
  return audience !== 'private' && standing !== undefined && standing.has(audience);
}
