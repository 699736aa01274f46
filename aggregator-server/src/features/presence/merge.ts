import type { PrivacySettings } from '#common/contract/privacy.js';
import type { PresenceEvent } from '#common/contract/socket-events.js';
import type { ConnectionState, UserState } from './presence.store.js';

/**
 * One user's presence from all their connections: online while any connection lives (including one in
 * its grace period after a disconnect), apps the union of every device's apps with the earliest `since`.
 * Invisible users are shown exactly like offline ones: no status text, no apps, so that nothing they
 * change while invisible (text included) alters what viewers get, and nothing is pushed to them.
 */
export function mergePresence(userId: string, connections: ConnectionState[], state: UserState | undefined, at: number): PresenceEvent {
  const online = connections.length > 0;
  const status = !online || state?.status === 'invisible' ? 'offline' : (state?.status ?? 'online');
  if (status === 'offline') return offlineEvent(userId, at);
  const since = new Map<string, number>();
  for (const connection of connections) {
    for (const [plugin, startedAt] of Object.entries(connection.apps)) {
      const known = since.get(plugin);
      if (known === undefined || startedAt < known) since.set(plugin, startedAt);
    }
  }
  const apps = [...since.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([plugin, startedAt]) => ({ plugin, since: new Date(startedAt).toISOString() }));
  return { userId, status, text: state?.text ?? '', apps, at: new Date(at).toISOString() };
}

/** What identifies a change: everything but the time it was computed. */
export function presenceFingerprint(event: PresenceEvent): string {
  return JSON.stringify([event.status, event.text, event.apps]);
}

/** The event as the user's audience may see it: unshared apps never leave the server. */
export function forAudience(event: PresenceEvent, settings: PrivacySettings): PresenceEvent {
  if (settings.sharedApps === 'all') return event;
  const shared = new Set(settings.sharedApps);
  return { ...event, apps: event.apps.filter((app) => shared.has(app.plugin)) };
}

export function offlineEvent(userId: string, at: number): PresenceEvent {
  return { userId, status: 'offline', text: '', apps: [], at: new Date(at).toISOString() };
}
