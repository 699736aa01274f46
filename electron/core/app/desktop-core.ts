import type { AccountsSyncResult } from '#common/bridge/index.js';
import { CallMediaPermission } from '../calls/media-permission.js';
import type { NativeCallNotifier } from '../calls/incoming-call-notices.js';
import { insecureServerReason } from '#common/net/server-address.js';
import { matcherSetsFor } from '#common/plugin-manifest/matchers.js';
import { createAccounts, type Accounts } from '../accounts/index.js';
import { BridgeHost, ContactNotifier, DeepLinkHandoffs, DesktopState, type ContactNotification } from '../bridge-host/index.js';
import { BoundContacts } from '../contacts/index.js';
import { Launcher, UserGestureGate, type ClipboardWriter, type ExternalOpener, type SchemeHandlerProbe } from '../launcher/index.js';
import { LoginWindows, type LoginWindowSpec, type OpenedLoginWindow } from '../login-window/index.js';
import { PluginHosts } from '../plugin-host/index.js';
import { CatalogueRefresher, type CatalogueUpdate } from '../plugins/catalogue-refresher.js';
import { loadPlugins, type LoadedPlugin } from '../plugins/load.js';
import type { MergedPlugin } from '../plugins/catalogue-merge.js';
import { MyStatus } from '../presence/my-status.js';
import { PresenceLink, type PresenceLinkEvent } from '../presence/presence-link.js';
import { sessionAccount, type Vault } from '../vault/index.js';
import { AppWatcher, currentPlatform, type ProcessSource, type WatchedPlatform } from '../watcher/index.js';
import { createServerClients, type ServerClients } from './server-clients.js';

/** Where the core writes what a person should see in a log (the agent's stderr, Electron's console). */
export interface CoreLog {
  info(line: string): void;
  warn(line: string): void;
}

/**
 * What only a windowed shell has (Electron main, or a test's Chromium page): with it the core also
 * serves the bridge to a renderer, launches networks and shows notifications. Without it, the core is
 * headless: `switchboard agent`.
 */
export interface DesktopShell {
  version: string;
  /** Origins whose top frame may call the bridge. */
  trustedOrigins: readonly string[];
  /** The URL the renderer puts in `<img src>` for a plugin's icon. */
  iconUrl(pluginId: string): string;
  /** The system browser / URL handler (Electron's shell.openExternal). */
  openExternal: ExternalOpener;
  /** Which app handles a link scheme (Electron's getApplicationNameForProtocol, xdg-mime). */
  handlerProbe: SchemeHandlerProbe;
  /** Puts a contact's handle on the clipboard where a network has no link to a chat (Electron's clipboard). */
  writeClipboard?: ClipboardWriter;
  pickFile?: (extensions: readonly string[]) => Promise<string | null>;
  setStartAtLogin?: (enabled: boolean) => void | Promise<void>;
  /** Shows a native notification; without it, none are shown. */
  notify?: (notice: ContactNotification) => void;
  /** Calls (M26): native notifications for incoming calls (electron/core/calls/incoming-call-notices.ts decides). */
  callNotifier?: NativeCallNotifier;
  /** Whether the app's window has the focus now; an incoming call notifies only when it has not. */
  windowFocused?: () => boolean;
  /** Brings the app's window forward (a click on, or Answer in, a call's notification). */
  raiseWindow?: () => void;
  createLoginWindow?: (spec: LoginWindowSpec) => Promise<OpenedLoginWindow>;
}

export interface DesktopCoreOptions {
  serverUrl: string;
  /** The repository's (or the packaged app's) `plugins/` folder. */
  builtinPluginsDir: string;
  /** `--plugins` folders and SWITCHBOARD_PLUGINS_DIR. */
  extraPluginDirs?: readonly string[];
  /** Non-secret state: status, notification switches, network contacts (electron/core/device.ts configDir). */
  configDir: string;
  vault: Vault;
  log: CoreLog;
  platform?: WatchedPlatform;
  /** The server catalogue's cache folder; the per-user default otherwise. */
  catalogueCacheDir?: string;
  shell?: DesktopShell;
  /** Scan tuning (tests use shorter grace periods). */
  /** `source` narrows what the watcher sees, e.g. to one process tree (ProcessTreeSource) in tests. */
  watcher?: { intervalMs?: number; stopGraceMs?: number; source?: ProcessSource };
  /**
   * Imports the bound accounts' contacts at start and then this often (the agent keeps the people list
   * fresh this way); without it, only when asked (the Contacts screen's button, the CLI).
   */
  networkContactsEveryMs?: number;
  /** Lets plugins reach a bound instance over plain http on loopback (local stand-ins of a network). */
  pluginsOnLoopback?: boolean;
  /** The server clients; built from `serverUrl` by default. */
  clients?: ServerClients;
}

/** The server address would carry the session in the clear (http outside this machine). */
export class InsecureServerError extends Error {
  override readonly name = 'InsecureServerError';
}

export type DesktopCoreEvent =
  | { type: 'link'; event: PresenceLinkEvent }
  | { type: 'catalogue'; update: CatalogueUpdate }
  /** A scheduled import of the bound accounts' contacts finished (`networkContactsEveryMs`). */
  | { type: 'network_contacts'; sync: AccountsSyncResult }
  /** Something the tray shows changed: status, signed in or out, running apps, unread messages. */
  | { type: 'changed' };

/**
 * The desktop core, composed once: plugins, app watcher, catalogue refresher, my status, the presence
 * link, plugin hosts and the network contacts they import, account binding, and (with a shell) the
 * launcher and the bridge host. Electron main and `switchboard agent` both run exactly this; each only
 * adds its face (windows and tray, or a terminal).
 */
export class DesktopCore {
  readonly serverUrl: string;
  readonly platform: WatchedPlatform;
  readonly state: DesktopState;
  readonly vault: Vault;
  readonly localPlugins: readonly LoadedPlugin[];
  readonly watcher: AppWatcher;
  readonly catalogue: CatalogueRefresher;
  readonly myStatus: MyStatus;
  readonly pluginHosts: PluginHosts;
  readonly networkContacts: BoundContacts;
  readonly accounts: Accounts;
  readonly clients: ServerClients;
  readonly gestures = new UserGestureGate();
  /** Calls (M26): whether the window may have the microphone and camera now (asked by main's permission handlers). */
  readonly callMedia: CallMediaPermission;
  readonly handoffs = new DeepLinkHandoffs();
  /** Unread chat messages as the window last said (`notifications.setUnreadCount`): the tray's badge. */
  unreadMessages = 0;
  /** Present with a shell: what the renderer talks to. */
  readonly bridge: BridgeHost | undefined;
  readonly launcher: Launcher | undefined;

  private link: PresenceLink | undefined;
  private readonly listeners = new Set<(event: DesktopCoreEvent) => void>();
  private readonly notifier: ContactNotifier;
  private contactPhones = new Map<string, string>();
  private appliedMatchers: string;
  private readonly reportedProblems = new Set<string>();
  private readonly unsubscribers: (() => unknown)[] = [];
  private contactsTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly options: DesktopCoreOptions,
    loaded: readonly LoadedPlugin[],
  ) {
    const { serverUrl, vault, log, shell } = options;
    this.serverUrl = serverUrl;
    this.vault = vault;
    this.platform = options.platform ?? currentPlatform();
    this.localPlugins = loaded;
    this.clients = options.clients ?? createServerClients(serverUrl);
    this.state = new DesktopState(options.configDir);
    if (this.state.recoveredFrom !== undefined) log.warn(`desktop state was unreadable; kept aside as ${this.state.recoveredFrom}`);
    this.myStatus = new MyStatus(this.state);

    const initialSets = matcherSetsFor(loaded.map((plugin) => plugin.manifest), this.platform);
    this.appliedMatchers = JSON.stringify(initialSets);
    this.watcher = new AppWatcher({ platform: this.platform, matchers: initialSets, ...options.watcher });
    this.catalogue = new CatalogueRefresher({
      serverUrl,
      localPlugins: loaded,
      ...(options.catalogueCacheDir === undefined ? {} : { cacheDir: options.catalogueCacheDir }),
      onUpdate: (update) => this.applyCatalogue(update),
      onError: (error) => log.warn(`catalogue: sync_failed: ${error.message}`),
    });

    this.pluginHosts = new PluginHosts({
      // Code runs only from plugin folders on this machine; the catalogue brings manifests, never code.
      plugins: () => this.localPlugins,
      vault,
      hostOptions: {
        plainHttpOnLoopback: options.pluginsOnLoopback === true,
        onLog: (entry) => (entry.level === 'log' ? log.info : log.warn)(`plugin ${entry.pluginId}: ${entry.message}`),
      },
    });
    this.accounts = createAccounts({
      serverUrl,
      vault,
      accountsApi: (token) => this.clients.accounts(token),
      openExternal: async (url) => {
        const opened = await shell?.openExternal(url);
        if (opened !== undefined && !opened.ok) throw new Error(opened.message);
      },
    });
    this.networkContacts = new BoundContacts({
      vault,
      hosts: this.pluginHosts,
      configDir: options.configDir,
      serverRefresh: (pluginId, accountId) => this.accounts.refresh(pluginId, accountId),
    });

    this.notifier = new ContactNotifier({
      notifiesFor: (userId) => this.state.notifiesFor(userId),
      pluginName: (id) => this.plugins().find((plugin) => plugin.id === id)?.manifest.name,
      contactLabel: (userId) => this.contactPhones.get(userId),
    });

    if (shell === undefined) {
      this.callMedia = new CallMediaPermission([]);
      this.bridge = undefined;
      this.launcher = undefined;
    } else {
      this.launcher = new Launcher({
        findPlugin: (id) => this.plugins().find((plugin) => plugin.id === id)?.manifest,
        probe: shell.handlerProbe,
        openExternal: shell.openExternal,
        gestures: this.gestures,
        ...(shell.writeClipboard === undefined ? {} : { writeClipboard: shell.writeClipboard }),
      });
      const createLoginWindow = shell.createLoginWindow;
      const loginWindows =
        createLoginWindow === undefined
          ? undefined
          : new LoginWindows({ vault, findPlugin: (id) => this.plugins().find((plugin) => plugin.id === id), createWindow: (spec) => createLoginWindow(spec) });
      this.callMedia = new CallMediaPermission(shell.trustedOrigins);
      this.bridge = new BridgeHost({
        callMedia: this.callMedia,
        version: shell.version,
        platform: this.platform,
        serverUrl,
        trustedOrigins: shell.trustedOrigins,
        vault,
        state: this.state,
        plugins: loaded,
        syncedPlugins: () => this.catalogue.plugins,
        iconUrl: shell.iconUrl,
        launcher: this.launcher,
        gestures: this.gestures,
        watcher: this.watcher,
        ...(shell.pickFile === undefined ? {} : { pickFile: shell.pickFile }),
        ...(shell.setStartAtLogin === undefined ? {} : { setStartAtLogin: shell.setStartAtLogin }),
        notificationsSupported: shell.notify !== undefined,
        callNotifications: { notifier: shell.callNotifier, windowFocused: shell.windowFocused ?? (() => false), raiseWindow: shell.raiseWindow ?? (() => undefined) },
        onSessionChange: (session) => this.connect(session),
        onUnreadCount: (count) => {
          if (count === this.unreadMessages) return;
          this.unreadMessages = count;
          this.emit({ type: 'changed' });
        },
        openExternal: shell.openExternal,
        ...(loginWindows === undefined ? {} : { loginWindows }),
        accountsApi: (token) => this.clients.accounts(token),
        myStatus: this.myStatus,
        networkContacts: {
          list: () => this.networkContacts.list(),
          sync: () => this.networkContacts.sync(),
          lookupIdentity: (phone) => this.networkContacts.lookupIdentity(phone),
        },
        onLoginProblem: (pluginId, problem) => log.warn(`login window: ${pluginId}: ${problem.code}: ${problem.message}`),
      });
    }
    this.unsubscribers.push(
      this.myStatus.onChange(() => this.emit({ type: 'changed' })),
      this.watcher.onChange(() => this.emit({ type: 'changed' })),
      this.watcher.onError((error) => log.warn(`watcher: ${error.message}`)),
    );
  }

  /** Loads the plugins and the cached catalogue, and composes every part; `start()` sets it running. */
  static async create(options: DesktopCoreOptions): Promise<DesktopCore> {
    const insecure = insecureServerReason(options.serverUrl);
    if (insecure !== undefined) throw new InsecureServerError(insecure);
    const loaded = await loadPlugins({ builtinDir: options.builtinPluginsDir, extraDirs: options.extraPluginDirs ?? [] });
    for (const problem of loaded.problems) options.log.warn(`plugin skipped: ${problem.dir}: ${problem.message}`);
    const core = new DesktopCore(options, loaded.plugins);
    await core.catalogue.loadCached().catch((error: unknown) => options.log.warn(`catalogue: cache_invalid: ${error instanceof Error ? error.message : String(error)}`));
    return core;
  }

  /** Local plugins merged with the server's catalogue, as of the last sync. */
  plugins(): readonly MergedPlugin[] {
    return this.catalogue.plugins;
  }

  signedIn(): boolean {
    return this.link !== undefined;
  }

  onEvent(listener: (event: DesktopCoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Starts watching and syncing; a session already in the keychain (an earlier run, `switchboard
   * login`) starts the realtime link at once. Answers whether one did.
   */
  async start(): Promise<boolean> {
    this.watcher.start();
    this.catalogue.start();
    const every = this.options.networkContactsEveryMs;
    if (every !== undefined) {
      void this.syncNetworkContacts();
      this.contactsTimer = setInterval(() => void this.syncNetworkContacts(), every);
      this.contactsTimer.unref();
    }
    let stored: { token: string } | undefined;
    try {
      stored = await this.vault.getSecret(sessionAccount(this.serverUrl));
    } catch (error) {
      // Not "signed out": the window's `session.get` shows the same failure to the person.
      this.options.log.warn(`the keychain could not be read, so the saved session is not used: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
    if (stored === undefined) return false;
    this.connect({ token: stored.token });
    return true;
  }

  /** (Re)connects the presence link for a session, or drops it on sign-out. */
  connect(session: { token: string } | null): void {
    this.link?.stop();
    this.link = undefined;
    this.myStatus.reportWith(undefined);
    this.notifier.reset();
    if (session !== null) {
      const link = new PresenceLink({ serverUrl: this.serverUrl, token: session.token, watcher: this.watcher, statusFields: () => this.myStatus.reportFields() });
      link.onEvent((event) => this.onLinkEvent(link, event));
      this.link = link;
      this.myStatus.reportWith(() => link.report());
      link.start();
      void this.clients.contactPhones(session.token).then(
        (phones) => {
          this.contactPhones = phones;
        },
        // Notifications then say "A contact"; the next sign-in tries again.
        () => undefined,
      );
    }
    this.emit({ type: 'changed' });
  }

  async stop(): Promise<void> {
    clearInterval(this.contactsTimer);
    this.link?.stop();
    this.link = undefined;
    this.myStatus.reportWith(undefined);
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    this.bridge?.close();
    await Promise.all([this.watcher.stop(), this.catalogue.stop(), this.pluginHosts.stopAll()]);
  }

  /** A scheduled import: nothing to say without bound accounts; a failure is logged, never thrown. */
  private async syncNetworkContacts(): Promise<void> {
    try {
      if ((await this.networkContacts.accounts()).length === 0) return;
      this.emit({ type: 'network_contacts', sync: await this.networkContacts.sync() });
    } catch (error) {
      this.options.log.warn(`network contacts: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private onLinkEvent(link: PresenceLink, event: PresenceLinkEvent): void {
    if (event.type === 'connected') this.notifier.reset();
    if (event.type === 'session_ended' && this.link === link) {
      this.link = undefined;
      this.myStatus.reportWith(undefined);
    }
    this.emit({ type: 'link', event });
    if (event.type === 'session_ended') this.emit({ type: 'changed' });
    const notify = this.options.shell?.notify;
    if (event.type === 'presence' && notify !== undefined) for (const notice of this.notifier.observe(event.event)) notify(notice);
  }

  /** New process matchers and link templates without an app update; a problem is logged once, not hourly. */
  private applyCatalogue(update: CatalogueUpdate): void {
    for (const problem of update.problems) {
      const key = `${problem.code}:${problem.pluginId ?? ''}`;
      if (this.reportedProblems.has(key)) continue;
      this.reportedProblems.add(key);
      this.options.log.warn(`catalogue: ${problem.code}: ${problem.message}`);
    }
    const sets = matcherSetsFor(update.plugins.map((plugin) => plugin.manifest), this.platform);
    const fingerprint = JSON.stringify(sets);
    if (fingerprint !== this.appliedMatchers) {
      this.appliedMatchers = fingerprint;
      this.watcher.setMatchers(sets);
    }
    this.emit({ type: 'catalogue', update });
  }

  private emit(event: DesktopCoreEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.options.log.warn(`core listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
