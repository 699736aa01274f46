import { splitAudience, type IdentityAudience, type OwnIdentities } from '#common/contract/identities.js';
import type { ActivityVisibility, PrivacySettings } from '#common/contract/privacy.js';
import { validateIdentity } from '#common/plugin-manifest/identity-fields.js';
import { ApiError } from '../../http/api-error.js';
import type { Clock } from '../../platform/clock.js';
import type { DomainEvents } from '../../platform/domain-events.js';
import type { PluginCatalogue } from '../plugins-catalogue/catalogue.js';
import type { PrivacyService } from '../privacy/privacy.service.js';
import type { PresenceService } from '../presence/presence.service.js';
import type { IdentitiesRepository, PublishedIdentity } from './identities.repository.js';

/** What one viewer may see of one person: plugin id to field values. */
export type SharedIdentities = Record<string, Record<string, string>>;

/**
 * Network identities (issue 11): a user publishes their own handles per network, checked against the
 * fields the plugin's manifest declares, and each is shared under the same rules as activity — a block,
 * an allowlist, per-app sharing, discoverability and invisibility all hide it — with the audience the
 * user chose for it (by default the activity setting's).
 */
export class IdentitiesService {
  constructor(
    private readonly deps: {
      repo: IdentitiesRepository;
      catalogue: Pick<PluginCatalogue, 'get'>;
      privacy: Pick<PrivacyService, 'standingOf' | 'settingsOf' | 'audienceOf' | 'sharedApps'>;
      /** Late-bound: presence starts with the socket server, after the HTTP routes. */
      presence: () => Pick<PresenceService, 'invisibleAmong'>;
      events: DomainEvents;
      clock: Clock;
    },
  ) {}

  async mine(userId: string): Promise<OwnIdentities> {
    const own: OwnIdentities = {};
    for (const identity of await this.deps.repo.identitiesOf([userId])) own[identity.pluginId] = ownView(identity);
    return own;
  }

  async publish(userId: string, pluginId: string, body: Record<string, unknown>): Promise<Record<string, string>> {
    const plugin = this.deps.catalogue.get(pluginId);
    if (plugin === undefined) throw new ApiError(404, 'not_found', `no plugin "${pluginId}" in this server's catalogue`);
    const { visibleTo, fields } = splitAudience(body);
    if (visibleTo === 'invalid') {
      throw invalidField('visibleTo', 'bad_format', '"visibleTo" must be "contacts", "allowlist" or "nobody"', undefined);
    }
    const checked = validateIdentity(plugin.manifest.identity, fields);
    if (!checked.ok) throw invalidField(checked.field, checked.code, checked.message, checked.example);
    const identity: PublishedIdentity = { userId, pluginId, fields: checked.value, visibleTo };
    await this.deps.repo.save(identity, this.deps.clock.now());
    this.deps.events.emit('identitiesChanged', { userId });
    return ownView(identity);
  }

  async remove(userId: string, pluginId: string): Promise<void> {
    if (this.deps.catalogue.get(pluginId) === undefined) throw new ApiError(404, 'not_found', `no plugin "${pluginId}" in this server's catalogue`);
    if (await this.deps.repo.remove(userId, pluginId)) this.deps.events.emit('identitiesChanged', { userId });
  }

  /** What each of `subjectIds` shares with `viewerId` (an empty record for those who share nothing). */
  async sharedWith(viewerId: string, subjectIds: string[]): Promise<Map<string, SharedIdentities>> {
    const out = new Map<string, SharedIdentities>(subjectIds.map((id) => [id, {}]));
    const standing = await this.deps.privacy.standingOf(viewerId);
    const seen = subjectIds.filter((id) => id !== viewerId && standing.has(id));
    if (seen.length === 0) return out;
    const [invisible, settings, identities] = await Promise.all([
      this.deps.presence().invisibleAmong(seen),
      this.deps.privacy.settingsOf(seen),
      this.deps.repo.identitiesOf(seen),
    ]);
    for (const identity of identities) {
      if (invisible.has(identity.userId)) continue;
      const subjectSettings = settings.get(identity.userId);
      const modes = standing.get(identity.userId);
      if (subjectSettings === undefined || modes === undefined) continue;
      if (!this.shares(identity, subjectSettings, (mode) => modes.has(mode))) continue;
      (out.get(identity.userId) as SharedIdentities)[identity.pluginId] = identity.fields;
    }
    return out;
  }

  /**
   * What everyone who may see any of `subjectId`'s identities now sees of them, for a live push. Each view
   * is empty while the subject is invisible: nothing of an invisible user reaches anyone.
   */
  async viewsOfAudience(subjectId: string): Promise<Map<string, SharedIdentities>> {
    const { privacy, repo } = this.deps;
    const views = new Map<string, SharedIdentities>();
    const [invisible, byContacts, byAllowlist, settingsMap, identities] = await Promise.all([
      this.deps.presence().invisibleAmong([subjectId]),
      privacy.audienceOf(subjectId, 'contacts'),
      privacy.audienceOf(subjectId, 'allowlist'),
      privacy.settingsOf([subjectId]),
      repo.identitiesOf([subjectId]),
    ]);
    const settings = settingsMap.get(subjectId);
    if (settings === undefined) return views;
    const audiences: Record<ActivityVisibility, ReadonlySet<string>> = { contacts: new Set(byContacts), allowlist: new Set(byAllowlist), nobody: new Set() };
    for (const viewerId of new Set([...byContacts, ...byAllowlist])) {
      const view: SharedIdentities = {};
      for (const identity of invisible.has(subjectId) ? [] : identities) {
        if (this.shares(identity, settings, (mode) => audiences[mode].has(viewerId))) view[identity.pluginId] = identity.fields;
      }
      views.set(viewerId, view);
    }
    return views;
  }

  /** The identity's own audience (or the activity setting's) admits the viewer, and its app is shared. */
  private shares(identity: PublishedIdentity, settings: PrivacySettings, admits: (mode: ActivityVisibility) => boolean): boolean {
    const mode: IdentityAudience = identity.visibleTo ?? settings.activityVisibleTo;
    if (mode === 'nobody' || !admits(mode)) return false;
    return this.deps.privacy.sharedApps(settings, [identity.pluginId]).length > 0;
  }
}

function ownView(identity: PublishedIdentity): Record<string, string> {
  return identity.visibleTo === undefined ? { ...identity.fields } : { ...identity.fields, visibleTo: identity.visibleTo };
}

function invalidField(field: string, problem: string, message: string, example: string | undefined): ApiError {
  return new ApiError(400, 'validation_failed', message, {
    field,
    problem,
    ...(example === undefined ? {} : { example }),
    issues: [{ path: field === '' ? [] : [field], message }],
  });
}
