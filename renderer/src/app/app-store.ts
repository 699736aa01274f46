import { csrfCookie } from '../api/session-cookie.js';
import { create } from 'zustand';
import type { AppInfo, PluginSummary, StoredSession } from '#common/bridge/index.js';
import { SwitchboardClient } from '#common/contract/http-client.js';
import { serverApi, type ServerApi } from '../api/server-api.js';
import { bridge } from '../bridge/bridge.js';
import { localDb } from '../db/local-db.js';

export type Screen = 'contacts' | 'chat' | 'import' | 'accounts' | 'privacy' | 'status' | 'settings' | 'feed' | 'profile';
export type Connection = 'connecting' | 'online' | 'offline';

interface AppState {
  phase: 'starting' | 'signed-out' | 'signed-in' | 'failed';
  startError: string | undefined;
  info: AppInfo | undefined;
  plugins: PluginSummary[];
  session: StoredSession | undefined;
  connection: Connection;
  /** When this device last had a live connection (ISO); kept across reloads for "last seen" offline. */
  lastOnlineAt: string | undefined;
  screen: Screen;
  setScreen(screen: Screen): void;
  setConnection(connection: Connection): void;
}

export const useApp = create<AppState>((set) => ({
  phase: 'starting',
  startError: undefined,
  info: undefined,
  plugins: [],
  session: undefined,
  connection: 'connecting',
  lastOnlineAt: undefined,
  screen: 'contacts',
  setScreen: (screen) => set({ screen }),
  setConnection: (connection) =>
    set((state) => {
      if (state.connection !== 'online' || connection === 'online') return { connection };
      // The moment the connection was lost is the last moment presence was known to be live.
      const lastOnlineAt = new Date().toISOString();
      void localDb.setMeta('lastOnlineAt', lastOnlineAt).catch(() => undefined);
      return { connection, lastOnlineAt };
    }),
}));

let sessionEndedHandler: () => void = () => undefined;

/** Called when the server says the session is over (401, session:ended): back to onboarding. */
export function onSessionEnded(handler: () => void): void {
  sessionEndedHandler = handler;
}

let cachedApi: { baseUrl: string; api: ServerApi } | undefined;

/** The server API with the current token; usable before sign-in (onboarding) too. */
export function api(): ServerApi {
  const baseUrl = useApp.getState().info?.serverUrl ?? window.location.origin;
  if (cachedApi?.baseUrl !== baseUrl) {
    const client = new SwitchboardClient({
      baseUrl,
      token: () => useApp.getState().session?.token,
      csrfToken: csrfCookie,
      onUnauthorized: () => sessionEndedHandler(),
    });
    cachedApi = { baseUrl, api: serverApi(client) };
  }
  return cachedApi.api;
}

/** Host info, plugins and the saved session; the caller then loads the local data for that user. */
export async function loadHost(): Promise<StoredSession | null> {
  const host = bridge();
  const [info, plugins, session] = await Promise.all([host.app.info(), host.plugins.list(), host.session.get()]);
  useApp.setState({ info, plugins });
  if (session !== null) await localDb.claimFor(session.userId);
  return session;
}
