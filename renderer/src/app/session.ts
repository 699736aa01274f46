import type { StoredSession } from '#common/bridge/index.js';
import { bridge } from '../bridge/bridge.js';
import { localDb } from '../db/local-db.js';
import { useContacts } from '../features/contacts/contacts-store.js';
import { usePresence } from '../features/contacts/presence-store.js';
import { startSync, stopSync } from '../sync/sync-engine.js';
import { api, loadHost, onSessionEnded, useApp } from './app-store.js';

/** Start: host, then the local data at once (local first), then the server in the background. */
export async function startApp(): Promise<void> {
  onSessionEnded(() => void endSessionLocally());
  try {
    const session = await loadHost();
    if (session === null) {
      useApp.setState({ phase: 'signed-out' });
      return;
    }
    await enterSignedIn(session);
  } catch (error) {
    useApp.setState({ phase: 'failed', startError: error instanceof Error ? error.message : String(error) });
  }
}

export async function enterSignedIn(session: StoredSession): Promise<void> {
  await bridge().session.set(session);
  await localDb.claimFor(session.userId);
  // Network contacts are a nicety: a host that cannot list them must not stop the sign-in.
  const networkContacts = useContacts.getState().loadNetworkContacts().catch((error: unknown) => console.warn('network contacts unavailable', error));
  const [lastOnlineAt] = await Promise.all([localDb.getMeta('lastOnlineAt'), useContacts.getState().load(), usePresence.getState().load(), networkContacts]);
  useApp.setState({ session, phase: 'signed-in', screen: 'contacts', lastOnlineAt });
  startSync(session.token, () => void endSessionLocally());
}

/** The server ended the session (logout elsewhere, device revoked): keep local data for the next sign-in. */
async function endSessionLocally(): Promise<void> {
  stopSync();
  await bridge().session.clear();
  useContacts.getState().clear();
  usePresence.getState().clear();
  useApp.setState({ session: undefined, phase: 'signed-out', connection: 'connecting' });
}

/**
 * Signing out on purpose also wipes this device's copy of the address book: on a shared computer the
 * next person must not find your contacts' names.
 */
export async function signOut(): Promise<void> {
  await api()
    .endSession()
    .catch(() => undefined);
  await endSessionLocally();
  await localDb.transaction('rw', [localDb.people, localDb.groups, localDb.presence, localDb.meta], async () => {
    await Promise.all([localDb.people.clear(), localDb.groups.clear(), localDb.presence.clear(), localDb.meta.clear()]);
  });
}
