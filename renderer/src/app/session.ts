import type { StoredSession } from '#common/bridge/index.js';
import { bridge } from '../bridge/bridge.js';
import { localDb } from '../db/local-db.js';
import { useContacts } from '../features/contacts/contacts-store.js';
import { usePresence } from '../features/contacts/presence-store.js';
import { forgetPictures } from '../api/attachment-files.js';
import { useFeed } from '../features/feed/feed-store.js';
import { savedFeedSettled, startSavedFeed, stopSavedFeed } from '../features/feed/saved-feed.js';
import { useProfiles } from '../features/profile/profile-store.js';
import { useChat } from '../features/chat/chat-store.js';
import { clearOutsideContacts } from '../features/chat/outside-contacts-store.js';
import { startSync, stopSync } from '../sync/sync-engine.js';
import { api, loadHost, onSessionEnded, useApp } from './app-store.js';

/** Start: host, then the local data at once (local first), then the server in the background. */
export async function startApp(): Promise<void> {
  // A 401 may only mean the window's short-lived credential lapsed (a laptop asleep): a host that hands
  // over a different one keeps the session; the same one again (or none) means it is over.
  onSessionEnded(() => {
    const refused = useApp.getState().session?.token;
    void refreshCredential().then(
      (stillSignedIn) => {
        const renewed = useApp.getState().session?.token;
        if (!stillSignedIn || renewed === undefined || renewed === refused) return endSessionLocally();
      },
      () => endSessionLocally(),
    );
  });
  try {
    const session = await loadHost();
    if (session === null) {
      useApp.setState({ phase: 'signed-out' });
      return;
    }
    await resumeSession(session);
  } catch (error) {
    useApp.setState({ phase: 'failed', startError: error instanceof Error ? error.message : String(error) });
  }
}

/** The desktop window's credential lasts minutes: it is asked for again this often (the core renews it). */
const credentialRefreshMs = 4 * 60_000;
let credentialTimer: ReturnType<typeof setInterval> | undefined;

/** Takes the host's current credential (a renewed delegation on the desktop; nothing on the web). */
export async function refreshCredential(): Promise<boolean> {
  const current = await bridge().session.get();
  if (current === null) return false;
  const signedIn = useApp.getState().session;
  if (signedIn !== undefined) useApp.setState({ session: { ...signedIn, ...current } });
  return true;
}

/** A new sign-in: the host keeps the session, and the window goes on with what the host hands back. */
export async function enterSignedIn(signedIn: StoredSession, options: { keptByHost?: boolean } = {}): Promise<void> {
  // The desktop core signs in itself (session.signIn) and already keeps the session; a browser records who.
  if (options.keptByHost !== true) await bridge().session.set(signedIn);
  // On the desktop a short-lived delegation, never the session's own token (which the core now holds);
  // on the web nothing but who is signed in.
  await resumeSession((await bridge().session.get()) ?? { userId: signedIn.userId, phone: signedIn.phone });
}

/** Goes on with a session the host already holds (a reload, a new window, right after sign-in). */
async function resumeSession(session: StoredSession): Promise<void> {
  await localDb.claimFor(session.userId);
  // Network contacts are a nicety: a host that cannot list them must not stop the sign-in.
  const networkContacts = useContacts.getState().loadNetworkContacts().catch((error: unknown) => console.warn('network contacts unavailable', error));
  const [lastOnlineAt] = await Promise.all([localDb.getMeta('lastOnlineAt'), useContacts.getState().load(), usePresence.getState().load(), networkContacts, useChat.getState().load(), startSavedFeed()]);
  useApp.setState({ session, phase: 'signed-in', screen: 'contacts', lastOnlineAt });
  startSync(session.token === undefined ? undefined : () => useApp.getState().session?.token, () => void endSessionLocally());
  clearInterval(credentialTimer);
  if (session.token !== undefined) credentialTimer = setInterval(() => void refreshCredential().catch(() => undefined), credentialRefreshMs);
}

/** The server ended the session (logout elsewhere, device revoked): keep local data for the next sign-in. */
async function endSessionLocally(): Promise<void> {
  clearInterval(credentialTimer);
  stopSync();
  await bridge().session.clear();
  useContacts.getState().clear();
  usePresence.getState().clear();
  // Profiles and pictures are held in memory only; none of them may outlive the session. The feed's saved
  // copy stays in IndexedDB like the chat history, for this user's next sign-in (another user's clears it).
  stopSavedFeed();
  useFeed.getState().clear();
  useProfiles.getState().clear();
  forgetPictures();
  useChat.getState().clear();
  clearOutsideContacts();
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
  // The chat history and the saved feed go too: they are as private as the names. A feed write already
  // queued goes first, so the clear is the last word.
  await savedFeedSettled();
  await localDb.transaction('rw', [localDb.people, localDb.groups, localDb.presence, localDb.meta, ...localDb.feedTables(), ...localDb.chatTables()], async () => {
    await Promise.all([localDb.people.clear(), localDb.groups.clear(), localDb.presence.clear(), localDb.meta.clear(), localDb.clearFeed(), localDb.clearChat()]);
  });
}
