import path from 'node:path';
import { app, dialog, Notification, shell, type BrowserWindow } from 'electron';
import type { StoredSession } from '../../common/bridge/index.js';
import { SwitchboardClient } from '../../common/contract/http-client.js';
import { routes } from '../../common/contract/routes.js';
import {
  BridgeHost,
  ContactNotifier,
  DeepLinkHandoffs,
  DesktopState,
  PresenceLink,
  setLinuxAutostart,
} from '../core/bridge-host/index.js';
import { configDir } from '../core/device.js';
import { createPlatformProbe, Launcher, UserGestureGate, type ExternalOpener } from '../core/launcher/index.js';
import { LoginWindows } from '../core/login-window/index.js';
import { CatalogueRefresher, type CatalogueUpdate } from '../core/plugins/catalogue-refresher.js';
import { extraPluginDirs, loadPlugins, type LoadedPlugin } from '../core/plugins/load.js';
import { createVault, sessionAccount } from '../core/vault/index.js';
import { AppWatcher, currentPlatform } from '../core/watcher/index.js';
import { matcherSetsFor } from '../core/agent/presence-agent.js';
import { createLoginWindow } from './window.js';

export interface Desktop {
  host: BridgeHost;
  gestures: UserGestureGate;
  state: DesktopState;
  /** Local plugins merged with the server's catalogue, as of the last sync. */
  plugins(): readonly LoadedPlugin[];
  watcher: AppWatcher;
  handoffs: DeepLinkHandoffs;
  serverUrl: string;
  setStatus(status: DesktopState['status']): void;
  signedIn(): boolean;
  stop(): Promise<void>;
}

/**
 * Everything the desktop app does, assembled from electron/core; this file only supplies the
 * Electron pieces (dialog, shell, notifications, login items, the protocol-handler lookup).
 */
export async function createDesktop(options: {
  root: string;
  serverUrl: string;
  trustedOrigins: readonly string[];
  window: () => BrowserWindow | undefined;
  onTrayChange: () => void;
}): Promise<Desktop> {
  const { serverUrl } = options;
  const platform = currentPlatform();
  const state = new DesktopState(configDir());
  const vault = createVault();
  const loaded = await loadPlugins({ builtinDir: path.join(options.root, 'plugins'), extraDirs: extraPluginDirs([], process.env) });
  for (const problem of loaded.problems) console.warn(`plugin skipped: ${problem.message}`);
  const plugins = loaded.plugins;
  const watcher = new AppWatcher({ platform, matchers: matcherSetsFor(plugins.map((plugin) => plugin.manifest), platform) });
  const gestures = new UserGestureGate();
  const handoffs = new DeepLinkHandoffs();

  // The server's catalogue: new process matchers and link templates without an app update (as the agent
  // does). The cache at once, the server right after start and every hour; a problem is logged once.
  let appliedMatchers = JSON.stringify(matcherSetsFor(plugins.map((plugin) => plugin.manifest), platform));
  const reportedProblems = new Set<string>();
  const applyCatalogue = (update: CatalogueUpdate) => {
    for (const problem of update.problems) {
      const key = `${problem.code}:${problem.pluginId ?? ''}`;
      if (reportedProblems.has(key)) continue;
      reportedProblems.add(key);
      console.warn(`catalogue: ${problem.code}: ${problem.message}`);
    }
    const sets = matcherSetsFor(update.plugins.map((plugin) => plugin.manifest), platform);
    const fingerprint = JSON.stringify(sets);
    if (fingerprint !== appliedMatchers) {
      appliedMatchers = fingerprint;
      watcher.setMatchers(sets);
    }
  };
  const refresher = new CatalogueRefresher({
    serverUrl,
    localPlugins: plugins,
    onUpdate: applyCatalogue,
    onError: (error) => console.warn(`catalogue: sync_failed: ${error.message}`),
  });
  await refresher.loadCached().catch((error: unknown) => console.warn(`catalogue: cache_invalid: ${error instanceof Error ? error.message : String(error)}`));
  const currentManifests = () => refresher.plugins.map((plugin) => plugin.manifest);

  const openExternal: ExternalOpener = async (url) => {
    try {
      await shell.openExternal(url, { activate: true });
      return { ok: true };
    } catch (error) {
      return { ok: false, code: 'open_failed', message: error instanceof Error ? error.message : String(error) };
    }
  };
  const launcher = new Launcher({
    findPlugin: (id) => currentManifests().find((manifest) => manifest.id === id),
    probe: createPlatformProbe({ platform, handlerName: (scheme) => app.getApplicationNameForProtocol(`${scheme}://`) }),
    openExternal,
    gestures,
  });
  const loginWindows = new LoginWindows({
    vault,
    findPlugin: (id) => refresher.plugins.find((plugin) => plugin.id === id),
    createWindow: async (spec) => createLoginWindow(spec),
  });

  let link: PresenceLink | undefined;
  let contactPhones = new Map<string, string>();
  const notifier = new ContactNotifier({
    notifiesFor: (userId) => state.notifiesFor(userId),
    pluginName: (id) => currentManifests().find((manifest) => manifest.id === id)?.name,
    contactLabel: (userId) => contactPhones.get(userId),
  });

  const loadContactPhones = async (token: string) => {
    try {
      const contacts = await new SwitchboardClient({ baseUrl: serverUrl, token: () => token }).call(routes.contacts, {});
      contactPhones = new Map(contacts.map((contact) => [contact.userId, contact.phone]));
    } catch {
      // Notifications then say "A contact"; the next sign-in tries again.
    }
  };

  const connect = (session: StoredSession | null) => {
    link?.stop();
    link = undefined;
    notifier.reset();
    if (session === null) return options.onTrayChange();
    const next = new PresenceLink({ serverUrl, token: session.token, watcher, status: state.status });
    next.onEvent((event) => {
      if (event.type === 'connected') notifier.reset();
      if (event.type === 'session_ended') options.onTrayChange();
      if (event.type !== 'presence' || !Notification.isSupported()) return;
      for (const notice of notifier.observe(event.event)) {
        const shown = new Notification({ title: notice.title, body: notice.body, silent: false });
        shown.on('click', () => options.window()?.show());
        shown.show();
      }
    });
    next.start();
    link = next;
    void loadContactPhones(session.token);
    options.onTrayChange();
  };

  const host = new BridgeHost({
    version: app.getVersion(),
    platform,
    serverUrl,
    trustedOrigins: options.trustedOrigins,
    vault,
    state,
    plugins,
    syncedPlugins: () => refresher.plugins,
    iconUrl: (id) => `app://switchboard/plugins/${id}/icon`,
    launcher,
    gestures,
    watcher,
    pickFile: async (extensions) => {
      const parent = options.window();
      const filters = [{ name: 'Address books', extensions: [...extensions] }];
      const picked = parent ? await dialog.showOpenDialog(parent, { properties: ['openFile'], filters }) : await dialog.showOpenDialog({ properties: ['openFile'], filters });
      return picked.canceled ? null : (picked.filePaths[0] ?? null);
    },
    setStartAtLogin: (enabled) => {
      if (platform === 'linux') setLinuxAutostart(enabled, [process.execPath, ...(process.defaultApp ? [path.resolve(process.argv[1] ?? '.')] : [])]);
      else app.setLoginItemSettings({ openAtLogin: enabled, args: ['--hidden'] });
    },
    notificationsSupported: Notification.isSupported(),
    onSessionChange: connect,
    openExternal,
    loginWindows,
    onLoginProblem: (pluginId, problem) => console.warn(`login window: ${pluginId}: ${problem.code}: ${problem.message}`),
  });

  watcher.start();
  refresher.start();
  watcher.onChange(() => options.onTrayChange());
  // A session from an earlier run (or from `switchboard login`) starts the realtime link at once.
  const stored = await vault.getSecret(sessionAccount(serverUrl)).catch(() => undefined);
  if (stored?.userId !== undefined) connect({ token: stored.token, userId: stored.userId, phone: '' });

  return {
    host,
    gestures,
    state,
    plugins: () => refresher.plugins,
    watcher,
    handoffs,
    serverUrl,
    setStatus(status) {
      state.status = status;
      void link?.setStatus(status);
      options.onTrayChange();
    },
    signedIn: () => link !== undefined,
    async stop() {
      link?.stop();
      host.close();
      await Promise.all([watcher.stop(), refresher.stop()]);
    },
  };
}
