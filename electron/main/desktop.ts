import path from 'node:path';
import { app, dialog, Notification, shell, type BrowserWindow } from 'electron';
import { z } from 'zod';
import type { StoredSession } from '../../common/bridge/index.js';
import {
  BridgeHost,
  ContactNotifier,
  DeepLinkHandoffs,
  DesktopState,
  PresenceLink,
  setLinuxAutostart,
} from '../core/bridge-host/index.js';
import { configDir } from '../core/device.js';
import { createPlatformProbe, Launcher, UserGestureGate } from '../core/launcher/index.js';
import { extraPluginDirs, loadPlugins, type LoadedPlugin } from '../core/plugins/load.js';
import { createVault, sessionAccount } from '../core/vault/index.js';
import { AppWatcher, currentPlatform } from '../core/watcher/index.js';
import { matcherSetsFor } from '../core/agent/presence-agent.js';

const contactsAnswer = z.array(z.object({ userId: z.string(), phone: z.string() }));

export interface Desktop {
  host: BridgeHost;
  gestures: UserGestureGate;
  state: DesktopState;
  plugins: LoadedPlugin[];
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
  const manifests = plugins.map((plugin) => plugin.manifest);
  const watcher = new AppWatcher({ platform, matchers: matcherSetsFor(manifests, platform) });
  const gestures = new UserGestureGate();
  const handoffs = new DeepLinkHandoffs();

  const launcher = new Launcher({
    findPlugin: (id) => manifests.find((manifest) => manifest.id === id),
    probe: createPlatformProbe({ platform, handlerName: (scheme) => app.getApplicationNameForProtocol(`${scheme}://`) }),
    openExternal: async (url) => {
      try {
        await shell.openExternal(url, { activate: true });
        return { ok: true };
      } catch (error) {
        return { ok: false, code: 'open_failed', message: error instanceof Error ? error.message : String(error) };
      }
    },
    gestures,
  });

  let link: PresenceLink | undefined;
  let contactPhones = new Map<string, string>();
  const notifier = new ContactNotifier({
    notifiesFor: (userId) => state.notifiesFor(userId),
    pluginName: (id) => manifests.find((manifest) => manifest.id === id)?.name,
    contactLabel: (userId) => contactPhones.get(userId),
  });

  const loadContactPhones = async (token: string) => {
    try {
      const response = await fetch(new URL('/v1/me/contacts', serverUrl), { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(15_000) });
      const parsed = contactsAnswer.safeParse(await response.json());
      if (parsed.success) contactPhones = new Map(parsed.data.map((contact) => [contact.userId, contact.phone]));
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
  });

  watcher.start();
  watcher.onChange(() => options.onTrayChange());
  // A session from an earlier run (or from `switchboard login`) starts the realtime link at once.
  const stored = await vault.getSecret(sessionAccount(serverUrl)).catch(() => undefined);
  if (stored?.userId !== undefined) connect({ token: stored.token, userId: stored.userId, phone: '' });

  return {
    host,
    gestures,
    state,
    plugins,
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
      await watcher.stop();
    },
  };
}
