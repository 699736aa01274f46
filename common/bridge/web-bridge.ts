import { SwitchboardClient } from '../contract/http-client.js';
import { routes } from '../contract/routes.js';
import { type ContactIdentity, isBuiltinIdentityField } from '../plugin-manifest/identity.js';
import { planCopy, renderLaunchLink } from '../plugin-manifest/launch.js';
import type { PluginManifest } from '../plugin-manifest/schema.js';
import { splitUrl } from '../plugin-manifest/url.js';
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
  /**
   * Whether the browser holds a web session: the session cookie is HttpOnly, so this looks at its
   * script-readable CSRF companion, which the server sets and clears with it.
   */
  hasSessionCookie(): boolean;
  /** Where preferences that outlive the tab go (`localStorage`): my status. Memory only without it. */
  preferenceStore?: KeyValueStore | undefined;
  plugins: readonly BundledPlugin[];
  /** Opens an https link in a new tab (a mailto: link in the mail app); false when a popup blocker refused it. */
  openUrl(url: string): boolean;
  /** Puts text on the clipboard; false when the browser refused (no permission, page not focused). */
  writeClipboard(text: string): Promise<boolean>;
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

/** Who is signed in (user id and number, never a credential), for the UI to show before the server answers. */
const profileKey = 'switchboard.signedInAs';
const signedInAs = storedSession.pick({ userId: true, phone: true });
const myStatusKey = 'switchboard.myStatus';

const idleWatcher: WatcherStatus = { running: false, apps: [], lastScanAt: null };

export function summarisePlugin(plugin: BundledPlugin): PluginSummary {
  const { manifest } = plugin;
  return {
    id: manifest.id,
    name: manifest.name,
    ...(manifest.names === undefined ? {} : { names: { ...manifest.names } }),
    version: manifest.version,
    iconUrl: plugin.iconUrl,
    capabilities: [...manifest.capabilities],
    auth: manifest.auth.type,
    launchKinds: (['chat', 'web', 'open'] as const).filter((kind) => (manifest.launch[kind]?.length ?? 0) > 0),
    identityFields: manifest.identity.map((field) => ({ name: field.name, label: { ...field.label }, example: field.example, pattern: field.pattern, maxLength: field.maxLength })),
    ...(manifest.launch.copy === undefined ? {} : { copyField: manifest.launch.copy.field }),
    reachesByPhone: [...(manifest.launch.chat ?? []), ...(manifest.launch.web ?? [])].some(
      (template) => template.needs.length > 0 && template.needs.every((field) => isBuiltinIdentityField(field)),
    ),
  };
}

/** Chat links a browser can follow itself: https, and mailto:, which every browser hands to the mail app. */
const BROWSER_CHAT_SCHEMES = new Set(['https', 'mailto']);

type WebLaunchPlan =
  | { ok: true; url: string; kind: 'chat' | 'web'; reaches: 'contact' | 'app'; copy?: { field: string; value: string } }
  | { ok: false; code: string; message: string; missing?: string[] };

/**
 * What a click does in a browser, in order: a chat link the browser can follow, the web link to the
 * person, the handle on the clipboard plus the network's web page (networks without a chat link),
 * "ask them" when the contact published nothing, and last the network's web page alone.
 */
export function planWebLaunch(manifest: PluginManifest, identity: ContactIdentity): WebLaunchPlan {
  const missing = new Set<string>();
  const chat = renderLaunchLink(manifest, 'chat', identity, 'contact');
  if (chat.ok && BROWSER_CHAT_SCHEMES.has(splitUrl(chat.url)?.scheme ?? '')) return { ok: true, url: chat.url, kind: 'chat', reaches: 'contact' };
  if (!chat.ok && chat.code === 'missing_identity') chat.missing.forEach((field) => missing.add(field));
  const web = renderLaunchLink(manifest, 'web', identity, 'contact');
  if (web.ok) return { ok: true, url: web.url, kind: 'web', reaches: 'contact' };
  if (web.code === 'missing_identity') web.missing.forEach((field) => missing.add(field));
  else if (web.code !== 'no_template') return { ok: false, code: web.code, message: web.message };
  const page = renderLaunchLink(manifest, 'web', identity, 'app');
  const copy = planCopy(manifest, identity);
  if (copy.kind === 'copy') {
    if (!page.ok) return { ok: false, code: 'no_template', message: `${manifest.name} has no web page to open` };
    return { ok: true, url: page.url, kind: 'web', reaches: 'app', copy: { field: copy.field, value: copy.value } };
  }
  if (copy.kind === 'missing') missing.add(copy.field);
  if (missing.size > 0) return { ok: false, code: 'missing_identity', message: `the contact has not published ${[...missing].join(', ')}`, missing: [...missing] };
  if (page.ok) return { ok: true, url: page.url, kind: 'web', reaches: 'app' };
  return { ok: false, code: 'no_template', message: `${manifest.name} has no web link` };
}

/**
 * The browser implementation of the bridge. A browser cannot see other running apps, has no keychain
 * and should not fire native URL schemes at people who may not have the app, so the watcher is idle,
 * launching uses the plugin's https web link, and `capabilities` tells the UI what to hide.
 */
export class WebBridge implements DesktopBridge {
  /**
   * No credential is kept where script can read it: the browser holds the session in an HttpOnly
   * cookie (every tab and reload shares it, and it ends with the browser unless the person chose "keep me
   * signed in"). The bridge keeps only who is signed in (user id and number) in localStorage, and trusts
   * it only while the session cookie's CSRF companion is there.
   */

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
      if (!this.host.hasSessionCookie()) {
        this.tryStore((store) => store.removeItem(profileKey));
        return null;
      }
      return this.readProfile() ?? (await this.askServer());
    },
    set: async (session) => {
      const { userId, phone } = storedSession.parse(session);
      this.currentProfile = { userId, phone };
      this.tryStore((store) => store.setItem(profileKey, JSON.stringify({ userId, phone })));
    },
    signIn: async () => {
      // A browser signs in with the API itself: the session goes into an HttpOnly cookie.
      throw new BridgeError('unsupported', 'a browser signs in through the API and keeps its session in a cookie');
    },
    clear: async () => {
      this.currentProfile = null;
      this.tryStore((store) => store.removeItem(profileKey));
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
      const plan = planWebLaunch(plugin.manifest, valid.data.identity);
      if (!plan.ok) return plan;
      // The clipboard first: opening a tab moves the focus away, and a page without focus may not write it.
      const copied = plan.copy === undefined ? undefined : { ...plan.copy, done: await this.host.writeClipboard(plan.copy.value) };
      if (!this.host.openUrl(plan.url)) return { ok: false, code: 'popup_blocked', message: 'the browser blocked the new tab' };
      return { ok: true, kind: plan.kind, url: plan.url, reaches: plan.reaches, ...(copied === undefined ? {} : { copied }) };
    },
  };

  readonly plugins: DesktopBridge['plugins'] = {
    list: async () => this.host.plugins.map(summarisePlugin),
  };

  readonly import: DesktopBridge['import'] = {
    pickFile: (request) => this.host.pickFile(request.extensions),
  };

  /** A browser asks the person itself for media permission; nothing to allow here. */
  readonly calls: DesktopBridge['calls'] = {
    setMediaActive: async () => undefined,
  };

  readonly notifications: DesktopBridge['notifications'] = {
    setForContact: async () => {
      throw new BridgeError('unsupported', 'notifications per contact need the desktop app');
    },
    // A tab has no tray: the page shows the count in its title instead.
    setUnreadCount: async () => undefined,
    // A tab shows calls with the page's own Web Notification API (renderer/src/features/calls/call-notifications.ts).
    showIncomingCall: async () => {
      throw new BridgeError('unsupported', 'in a browser the page shows the call itself');
    },
    closeIncomingCall: async () => undefined,
    onCallAction: () => () => undefined,
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
    lookupIdentity: async () => null,
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

  private currentProfile: StoredSession | null | undefined;

  /** The cookie is there but not who it belongs to (storage cleared or unavailable): the server knows. */
  private async askServer(): Promise<StoredSession | null> {
    try {
      const me = await new SwitchboardClient({ baseUrl: this.host.origin }).call(routes.me, {});
      this.currentProfile = { userId: me.id, phone: me.phone };
      this.tryStore((store) => store.setItem(profileKey, JSON.stringify(this.currentProfile)));
      return this.currentProfile;
    } catch {
      // Signed out meanwhile, or offline without a remembered profile: the sign-in screen.
      return null;
    }
  }

  private readProfile(): StoredSession | null {
    if (this.currentProfile !== undefined) return this.currentProfile;
    let raw: string | null = null;
    this.tryStore((store) => {
      raw = store.getItem(profileKey);
    });
    if (raw === null) return null;
    try {
      const parsed = signedInAs.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  /** Storage can throw (quota, disabled storage); the in-memory copy still works then. */
  private tryStore(action: (store: KeyValueStore) => void): void {
    const store = this.host.preferenceStore;
    if (store === undefined) return;
    try {
      action(store);
    } catch {
      // Keep the session in memory only.
    }
  }
}
