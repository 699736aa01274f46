import { renderLaunchLink } from '../plugin-manifest/launch.js';
import type { PluginManifest } from '../plugin-manifest/schema.js';
import {
  BridgeError,
  launchRequest,
  myStatus,
  storedSession,
  type AppInfo,
  type BridgeCapabilities,
  type DesktopBridge,
  type LaunchResult,
  type MyStatus,
  type PickedFile,
  type PluginSummary,
  type StoredSession,
  type WatcherStatus,
} from './contract.js';

/** The part of the Web Storage API the bridge uses, so this file stays free of DOM typings. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** A plugin as the web client bundles it: its validated manifest and the URL of its icon. */
export interface BundledPlugin {
  manifest: PluginManifest;
  iconUrl: string;
}

/** What a browser gives the web bridge; the renderer builds it from `window` (see renderer/src/bridge). */
export interface WebHost {
  origin: string;
  version: string;
  /** `sessionStorage`, or undefined where it is unavailable (some private modes throw on access). */
  sessionStore: KeyValueStore | undefined;
  /** Where preferences that outlive the tab go (`localStorage`): my status. Memory only without it. */
  preferenceStore?: KeyValueStore | undefined;
  plugins: readonly BundledPlugin[];
  /** Opens an https link in a new tab; false when a popup blocker refused it. */
  openUrl(url: string): boolean;
  pickFile(extensions: readonly string[]): Promise<PickedFile | null>;
}

export const webCapabilities: BridgeCapabilities = {
  watcher: false,
  keychain: false,
  nativeLaunch: false,
  nativeFilePicker: false,
  notifications: false,
  startAtLogin: false,
  accountBinding: false,
};

const sessionKey = 'switchboard.session';
const myStatusKey = 'switchboard.myStatus';

const idleWatcher: WatcherStatus = { running: false, apps: [], lastScanAt: null };

export function summarisePlugin(plugin: BundledPlugin): PluginSummary {
  const { manifest } = plugin;
  return {
    id: manifest.id,
    name: manifest.name,
    version: manifest.version,
    iconUrl: plugin.iconUrl,
    capabilities: [...manifest.capabilities],
    auth: manifest.auth.type,
    launchKinds: (['chat', 'web', 'open'] as const).filter((kind) => (manifest.launch[kind]?.length ?? 0) > 0),
  };
}

/**
 * The browser implementation of the bridge. A browser cannot see other running apps, has no keychain
 * and should not fire native URL schemes at people who may not have the app, so the watcher is idle,
 * launching uses the plugin's https web link, and `capabilities` tells the UI what to hide.
 */
export class WebBridge implements DesktopBridge {
  /**
   * The token sits in memory and in sessionStorage. Memory alone would sign the user out on every
   * reload; localStorage would keep a bearer token on disk for any later user of the browser and share
   * it with every tab. sessionStorage lives only as long as the tab, is not shared between tabs, and
   * with the strict CSP the server sends (no inline script, no eval) injected script is the thing we
   * guard against, which no browser storage would stop anyway.
   */
  private currentSession: StoredSession | null | undefined;

  constructor(private readonly host: WebHost) {}

  readonly app: DesktopBridge['app'] = {
    info: async (): Promise<AppInfo> => ({
      kind: 'web',
      platform: 'web',
      version: this.host.version,
      serverUrl: this.host.origin,
      capabilities: webCapabilities,
    }),
    setStartAtLogin: async () => {
      throw new BridgeError('unsupported', 'a web page cannot start at login');
    },
  };

  readonly session: DesktopBridge['session'] = {
    get: async () => {
      this.currentSession ??= this.readStoredSession();
      return this.currentSession;
    },
    set: async (session) => {
      const valid = storedSession.parse(session);
      this.currentSession = valid;
      this.tryStore((store) => store.setItem(sessionKey, JSON.stringify(valid)));
    },
    clear: async () => {
      this.currentSession = null;
      this.tryStore((store) => store.removeItem(sessionKey));
    },
  };

  readonly watcher: DesktopBridge['watcher'] = {
    status: async () => idleWatcher,
    onChanged: () => () => undefined,
  };

  readonly launcher: DesktopBridge['launcher'] = {
    open: async (request): Promise<LaunchResult> => {
      const valid = launchRequest.safeParse(request);
      if (!valid.success) return { ok: false, code: 'invalid_arguments', message: valid.error.message };
      const plugin = this.host.plugins.find((candidate) => candidate.manifest.id === valid.data.pluginId);
      if (plugin === undefined) return { ok: false, code: 'unknown_plugin', message: `no plugin "${valid.data.pluginId}"` };
      const link = renderLaunchLink(plugin.manifest, 'web', valid.data.identity);
      if (!link.ok) return { ok: false, code: link.code, message: link.message };
      if (!this.host.openUrl(link.url)) return { ok: false, code: 'popup_blocked', message: 'the browser blocked the new tab' };
      return { ok: true, kind: link.kind, url: link.url };
    },
  };

  readonly plugins: DesktopBridge['plugins'] = {
    list: async () => this.host.plugins.map(summarisePlugin),
  };

  readonly import: DesktopBridge['import'] = {
    pickFile: (request) => this.host.pickFile(request.extensions),
  };

  readonly notifications: DesktopBridge['notifications'] = {
    setForContact: async () => {
      throw new BridgeError('unsupported', 'notifications per contact need the desktop app');
    },
  };

  /** A tab has no keychain and cannot open windows it controls: the Accounts screen binds through the server instead. */
  readonly accounts: DesktopBridge['accounts'] = {
    list: async () => [],
    bindPassword: async () => {
      throw new BridgeError('unsupported', 'password accounts are kept in the desktop app\'s keychain');
    },
    bindOAuth: async () => {
      throw new BridgeError('unsupported', 'in a browser, binding goes through the server\'s page in a new tab');
    },
    unbind: async () => {
      throw new BridgeError('unsupported', 'in a browser, unbinding goes through the server');
    },
    openLoggedIn: async () => {
      throw new BridgeError('unsupported', 'opening a network logged in needs the desktop app');
    },
  };

  /** A tab has no plugin host: network contacts are imported by the desktop app. */
  readonly contacts: DesktopBridge['contacts'] = {
    networkContacts: async () => [],
    syncAccounts: async () => {
      throw new BridgeError('unsupported', 'importing contacts from network accounts needs the desktop app');
    },
  };

  /**
   * In a browser the page's own socket reports my status (renderer/src/sync); the bridge only keeps the
   * value, so that the Status screen reads and writes it the same way on both hosts.
   */
  readonly status: DesktopBridge['status'] = {
    get: async () => (this.currentStatus ??= this.readStoredStatus()),
    set: async (status) => {
      const valid = myStatus.parse(status);
      this.currentStatus = valid;
      const store = this.host.preferenceStore;
      try {
        store?.setItem(myStatusKey, JSON.stringify(valid));
      } catch {
        // Kept in memory only.
      }
      return { ...valid, report: 'offline' };
    },
    onChanged: () => () => undefined,
  };

  private currentStatus: MyStatus | undefined;

  private readStoredStatus(): MyStatus {
    try {
      const raw = this.host.preferenceStore?.getItem(myStatusKey) ?? null;
      const parsed = raw === null ? undefined : myStatus.safeParse(JSON.parse(raw));
      if (parsed?.success === true) return parsed.data;
    } catch {
      // Unreadable storage: the default below.
    }
    return { status: 'online', text: '' };
  }

  private readStoredSession(): StoredSession | null {
    let raw: string | null = null;
    this.tryStore((store) => {
      raw = store.getItem(sessionKey);
    });
    if (raw === null) return null;
    try {
      const parsed = storedSession.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  /** Storage can throw (quota, disabled storage); the in-memory copy still works then. */
  private tryStore(action: (store: KeyValueStore) => void): void {
    const store = this.host.sessionStore;
    if (store === undefined) return;
    try {
      action(store);
    } catch {
      // Keep the session in memory only.
    }
  }
}
