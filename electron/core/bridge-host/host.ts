import type { CallMediaPermission } from '../calls/media-permission.js';
import { IncomingCallNotices, type IncomingCallNoticesOptions } from '../calls/incoming-call-notices.js';
import {
  BridgeError,
  isBridgeErrorCode,
  bridgeCalls,
  bridgeEvents,
  summarisePlugin,
  serveBridgeCall,
  type AppInfo,
  type BridgeCallArgs,
  type BridgeCallName,
  type BridgeCallResult,
  type AccountsSyncResult,
  type BridgeErrorCode,
  type BridgeReply,
  type StoredSession,
  type WatcherStatus,
} from '#common/bridge/index.js';
import { ApiFailure } from '#common/contract/api-failure.js';
import { SwitchboardClient } from '#common/contract/http-client.js';
import { routes } from '#common/contract/routes.js';
import type { BoundContact } from '#common/address-book/merge-people.js';
import type { PluginManifest } from '#common/plugin-manifest/schema.js';
import type { AccountsApi, HandoffReceiver } from '../accounts/index.js';
import { toLaunchResult, type ExternalOpener, type Launcher, type UserGestureGate } from '../launcher/index.js';
import type { LoginWindows } from '../login-window/index.js';
import { MyStatus } from '../presence/my-status.js';
import { sessionAccount, VaultError, type Vault } from '../vault/index.js';
import { accountErrorReply, createAccountCalls, type AccountCalls } from './account-calls.js';
import type { DesktopState } from './desktop-state.js';
import { readPickedFile } from './pick-file.js';
import { RendererCredential, serverDelegate, type Delegate } from './renderer-credential.js';
import { isTrustedSender } from './sender.js';

/** Who is calling: Electron main fills this from the IPC event, the test harness from Playwright's source frame. */
export interface CallContext {
  /** Stable per window; the user-gesture gate keys input by it. */
  source: string;
  senderUrl: string | undefined;
  isTopFrame: boolean;
}

/** The watcher as the host uses it; `AppWatcher` fits. */
export interface WatchedApps {
  readonly running: boolean;
  snapshot(): readonly { plugin: string; since: number }[];
  onChange(listener: () => void): () => unknown;
  scanNow(): Promise<void>;
}

export interface BridgeHostOptions {
  version: string;
  platform: 'linux' | 'darwin' | 'win32';
  serverUrl: string;
  /** Origins whose top frame may call, e.g. `app://switchboard` or the server's web client origin. */
  trustedOrigins: readonly string[];
  vault: Vault;
  state: DesktopState;
  plugins: readonly { manifest: PluginManifest }[];
  /**
   * Plugins learnt from the server's catalogue since start (electron/core/plugins/catalogue-refresher):
   * each replaces the entry of `plugins` with its id, or is added. Read at every call, so a sync shows at once.
   */
  syncedPlugins?: () => readonly { manifest: PluginManifest }[];
  /** The URL the renderer puts in `<img src>` for a plugin's icon (served by main's app protocol). */
  iconUrl(pluginId: string): string;
  launcher: Launcher;
  gestures: UserGestureGate;
  watcher?: WatchedApps;
  /** Shows the native open dialog; answers the chosen path or null when cancelled. */
  pickFile?: (extensions: readonly string[]) => Promise<string | null>;
  setStartAtLogin?: (enabled: boolean) => void | Promise<void>;
  /** Whether this OS shows native notifications (Electron's `Notification.isSupported()`). */
  notificationsSupported?: boolean;
  /** The window's unread chat messages changed: the tray shows the count (Electron main). */
  onUnreadCount?: (count: number) => void;
  /** Main restarts its realtime connection (with the session's own token) when the renderer signs in or out. */
  onSessionChange?: (session: { token: string } | null) => void;
  /** Makes the window's short-lived credential; the server's delegation route by default. */
  delegate?: Delegate;
  /** Opens the system browser for OAuth binding (Electron's shell.openExternal); without it `accounts.bindOAuth` is unsupported. */
  openExternal?: ExternalOpener;
  /** The server client for a session token (built by the desktop core); a client of its own otherwise. */
  accountsApi?: (token: string) => AccountsApi;
  /** Where OAuth handoffs arrive; a loopback listener by default. */
  oauthReceiver?: () => Promise<HandoffReceiver>;
  /**
   * Login windows for password networks (electron/core/login-window over Electron's BrowserWindow). With
   * them, `accounts.openLoggedIn` works, and a contact's network that opens as a web site opens signed in.
   */
  loginWindows?: LoginWindows;
  /**
   * My status as the desktop core holds it (electron/core/presence/my-status.ts); the bridge's
   * `status.*` calls read and change it there. Without it, a store of its own on `state`.
   */
  myStatus?: MyStatus;
  /** Calls (M26): the window's word on when a call is on, for main's media permission handler. */
  callMedia?: Pick<CallMediaPermission, 'setCallActive'>;
  /** Calls (M26): incoming calls as OS notifications; without it `notifications.showIncomingCall` is unsupported. */
  callNotifications?: Omit<IncomingCallNoticesOptions, 'onAction'>;
  /** Contacts of bound network accounts, imported through the plugin host (electron/core/contacts). */
  networkContacts?: {
    list(): BoundContact[];
    sync(): Promise<AccountsSyncResult>;
    lookupIdentity(phone: string): Promise<{ pluginId: string; identity: Readonly<Record<string, string | undefined>> } | undefined>;
  };
  /** A sign-in on the launcher path failed after the click was answered; main logs it (messages carry no secrets). */
  onLoginProblem?: (pluginId: string, problem: { code: string; message: string }) => void;
  now?: () => number;
}

export type EventListener = (channel: string, payload: unknown) => void;

/** A scan older than this is refreshed before answering `watcher.status`. */
const FRESH_SCAN_MS = 2000;

type Implementations = {
  [Name in BridgeCallName]: (context: CallContext, ...args: BridgeCallArgs<Name>) => Promise<BridgeCallResult<Name>>;
};

const callByChannel = new Map<string, BridgeCallName>(
  (Object.keys(bridgeCalls) as BridgeCallName[]).map((name) => [bridgeCalls[name].channel, name]),
);

/** The contract's channel names, for Electron main to register one `ipcMain.handle` each. */
export const bridgeCallChannels: readonly string[] = [...callByChannel.keys()];

function failure(code: BridgeErrorCode, message: string): BridgeReply {
  return { ok: false, error: { code, message } };
}

function replyFromError(error: unknown): BridgeReply {
  if (error instanceof BridgeError) return { ok: false, error: error.failure };
  const accountFailure = accountErrorReply(error);
  if (accountFailure !== undefined) return { ok: false, error: accountFailure };
  if (error instanceof VaultError) {
    const code = error.code === 'keychain_unavailable' || error.code === 'corrupt_secret' ? error.code : 'host_failed';
    return failure(code, error.message);
  }
  // The server's answer to a call the core made for the window (a sign-in): its code, so the window says it in words.
  if (error instanceof ApiFailure) {
    const retryAfter = typeof error.details.retryAfter === 'number' ? error.details.retryAfter : undefined;
    return { ok: false, error: { code: isBridgeErrorCode(error.code) ? error.code : 'host_failed', message: error.message, ...(retryAfter === undefined ? {} : { retryAfter }) } };
  }
  return failure('host_failed', error instanceof Error ? error.message : String(error));
}

const UUID_REGEX = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The desktop's implementation of the bridge contract, in plain Node so that it runs (and is tested)
 * without Electron: Electron main serves it over `ipcMain.handle`, tests over Playwright's
 * `exposeBinding`. Every call is checked in the same order: known channel, trusted sender, arguments
 * against the contract's schema, then the result against it on the way out. It never throws: every
 * failure is a reply with a code.
 */
export class BridgeHost {
  private readonly listeners = new Set<EventListener>();
  private readonly stopWatching: (() => unknown) | undefined;
  private lastScanAt: number | undefined;
  private readonly now: () => number;
  private readonly accounts: AccountCalls;
  private readonly myStatus: MyStatus;
  private readonly stopStatusEvents: () => unknown;
  private readonly rendererCredential: RendererCredential;
  private readonly callNotices: IncomingCallNotices;

  constructor(private readonly options: BridgeHostOptions) {
    this.callNotices = new IncomingCallNotices({
      notifier: undefined,
      windowFocused: () => false,
      raiseWindow: () => undefined,
      ...options.callNotifications,
      onAction: (action) => this.emit(bridgeEvents['notifications.callAction'].channel, action),
    });
    this.rendererCredential = new RendererCredential(options.delegate ?? serverDelegate(options.serverUrl), options.now ?? Date.now);
    this.now = options.now ?? Date.now;
    this.accounts = createAccountCalls({
      serverUrl: options.serverUrl,
      vault: options.vault,
      findPlugin: (id) => this.findPlugin(id),
      gestures: options.gestures,
      ...(options.openExternal === undefined ? {} : { openExternal: options.openExternal }),
      ...(options.oauthReceiver === undefined ? {} : { oauthReceiver: options.oauthReceiver }),
      ...(options.loginWindows === undefined ? {} : { loginWindows: options.loginWindows }),
      ...(options.accountsApi === undefined ? {} : { accountsApi: options.accountsApi }),
    });
    this.myStatus = options.myStatus ?? new MyStatus(options.state);
    this.stopStatusEvents = this.myStatus.onChange((value) => this.emit(bridgeEvents['status.changed'].channel, value));
    this.stopWatching = options.watcher?.onChange(() => {
      this.lastScanAt = this.now();
      this.emit(bridgeEvents['watcher.changed'].channel, this.currentWatcherStatus());
    });
  }

  async handle(channel: string, rawArgs: unknown, context: CallContext): Promise<BridgeReply> {
    const name = callByChannel.get(channel);
    if (name === undefined) return failure('unknown_call', `"${String(channel).slice(0, 80)}" is not a bridge call`);
    if (!isTrustedSender(context.senderUrl, this.options.trustedOrigins, context.isTopFrame)) {
      return failure('untrusted_sender', `${name} may only be called by the Switchboard app itself`);
    }
    try {
      return { ok: true, value: await this.serve(name, rawArgs, context) };
    } catch (error) {
      return replyFromError(error);
    }
  }

  /** Pushes events (watcher changes) to a window; answers the unsubscribe function. */
  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.callNotices.close(this.callNotices.shownFor);
    this.stopWatching?.();
    this.stopStatusEvents();
    this.listeners.clear();
  }

  private serve<Name extends BridgeCallName>(name: Name, rawArgs: unknown, context: CallContext): Promise<BridgeCallResult<Name>> {
    const implementation: Implementations[Name] = this.implementations[name];
    return serveBridgeCall(name, rawArgs, (...args: BridgeCallArgs<Name>) => implementation(context, ...args));
  }

  private emit(channel: string, payload: unknown): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(channel, payload);
      } catch {
        // A closed window's listener must not stop the others.
      }
    }
  }

  private capabilities(): AppInfo['capabilities'] {
    const { watcher, pickFile, setStartAtLogin, notificationsSupported } = this.options;
    return {
      watcher: watcher !== undefined,
      keychain: true,
      nativeLaunch: true,
      nativeFilePicker: pickFile !== undefined,
      notifications: notificationsSupported === true,
      startAtLogin: setStartAtLogin !== undefined,
      accountBinding: true,
    };
  }

  /** Local plugins with the catalogue's updates and additions, as of now. */
  private currentPlugins(): { manifest: PluginManifest }[] {
    const synced = new Map((this.options.syncedPlugins?.() ?? []).map((plugin) => [plugin.manifest.id, plugin]));
    const local = this.options.plugins.map((plugin) => synced.get(plugin.manifest.id) ?? plugin);
    const localIds = new Set(local.map(({ manifest }) => manifest.id));
    return [...local, ...[...synced.values()].filter(({ manifest }) => !localIds.has(manifest.id))];
  }

  private findPlugin(pluginId: string): { id: string; manifest: PluginManifest } | undefined {
    const found = this.currentPlugins().find(({ manifest }) => manifest.id === pluginId);
    return found === undefined ? undefined : { id: found.manifest.id, manifest: found.manifest };
  }

  /**
   * A password network whose link for this contact is its web site opens in the account's login window,
   * signed in, instead of the system browser. Answers undefined when the launcher should decide as usual.
   */
  private async launchSignedIn(request: BridgeCallArgs<'launcher.open'>[0], gesture: ReturnType<UserGestureGate['claim']>): Promise<BridgeCallResult<'launcher.open'> | undefined> {
    const windows = this.options.loginWindows;
    const plugin = this.findPlugin(request.pluginId);
    if (windows === undefined || plugin?.manifest.auth.type !== 'password') return undefined;
    if ((await windows.boundAccount(plugin.id).catch(() => undefined)) === undefined) return undefined;
    const choice = await this.options.launcher.choose(request);
    if (!choice.ok || !choice.url.startsWith('https://')) return undefined;
    if (!this.options.gestures.redeem(gesture)) return { ok: false, code: 'no_user_gesture', message: 'a network opens only right after a click or key press in the app' };
    // Signing in takes seconds of page loads; the click is answered now and a failure reported aside.
    windows.open(plugin.id, { then: choice.url }).then(
      (result) => {
        if (!result.filled && result.code !== undefined && result.code !== 'already_open') this.options.onLoginProblem?.(plugin.id, { code: result.code, message: result.message ?? '' });
      },
      (error: unknown) => this.options.onLoginProblem?.(plugin.id, describeFailure(replyFromError(error))),
    );
    return { ok: true, kind: choice.kind, url: choice.url, reaches: choice.reaches };
  }

  private currentWatcherStatus(): WatcherStatus {
    const { watcher } = this.options;
    if (watcher === undefined) return { running: false, apps: [], lastScanAt: null };
    return {
      running: watcher.running,
      apps: watcher.snapshot().map((app) => ({ plugin: app.plugin, since: new Date(app.since).toISOString() })),
      lastScanAt: this.lastScanAt === undefined ? null : new Date(this.lastScanAt).toISOString(),
    };
  }

  private get origin(): string {
    return new URL(this.options.serverUrl).origin;
  }

  /** Stores a session in the keychain (keeping the device id a CLI login stored, so both faces of this machine stay one device). */
  private async keepSession(session: { token: string; userId: string; phone: string }): Promise<void> {
    const account = sessionAccount(this.options.serverUrl);
    // A keychain that cannot be read is an error to show, not "no earlier session".
    const previous = await this.options.vault.getSecret(account);
    const deviceId = previous?.userId === session.userId ? previous.deviceId : undefined;
    await this.options.vault.setSecret(account, { token: session.token, userId: session.userId, ...(deviceId ? { deviceId } : {}) });
    this.options.state.setSessionProfile(this.origin, { userId: session.userId, phone: session.phone });
    this.rendererCredential.forget();
    this.options.onSessionChange?.({ token: session.token });
  }

  private readonly implementations: Implementations = {
    'app.info': async () => ({
      kind: 'desktop',
      platform: this.options.platform,
      version: this.options.version,
      serverUrl: this.options.serverUrl,
      capabilities: this.capabilities(),
    }),

    'app.setStartAtLogin': async (_context, { enabled }) => {
      const apply = this.options.setStartAtLogin;
      if (apply === undefined) throw new BridgeError('unsupported', 'starting at login is not available here');
      await apply(enabled);
      this.options.state.startAtLogin = enabled;
    },

    'session.get': async (): Promise<StoredSession | null> => {
      const secret = await this.options.vault.getSecret(sessionAccount(this.options.serverUrl));
      // A session the CLI stored without a user id is usable by `switchboard agent`, not by the UI.
      if (secret === undefined || secret.userId === undefined || !UUID_REGEX.test(secret.userId)) return null;
      const profile = this.options.state.sessionProfile(this.origin);
      // Never the session's own token: a delegation that ends in minutes (and with the session).
      const credential = await this.rendererCredential.forSession(secret.token);
      if (credential === 'ended') return null;
      return { ...(credential === undefined ? {} : { token: credential }), userId: secret.userId, phone: profile?.userId === secret.userId ? profile.phone : '' };
    },

    'session.set': async (_context, session) => {
      if (session.token === undefined) throw new BridgeError('invalid_arguments', 'signing in on the desktop hands the new session\'s token to the core');
      // The window's own delegation is no session: storing it would replace the real one.
      if (session.token.startsWith('sbd1.')) throw new BridgeError('invalid_arguments', 'a delegated credential cannot be stored as the session');
      await this.keepSession({ token: session.token, userId: session.userId, phone: session.phone });
    },

    // The core signs in itself: the session token goes from the server to the keychain, never through the window.
    'session.signIn': async (_context, request) => {
      const client = new SwitchboardClient({ baseUrl: this.options.serverUrl });
      const answer =
        'ticket' in request
          ? await client.call(routes.createSession, { body: { ticket: request.ticket, device: request.device, session: 'bearer' } })
          : await client.call(routes.passwordSession, { body: { phone: request.phone, password: request.password, device: request.device, session: 'bearer' } });
      if (answer.token === undefined) throw new BridgeError('host_failed', 'the server answered a sign-in without a session token');
      await this.keepSession({ token: answer.token, userId: answer.user.id, phone: answer.user.phone });
      const credential = await this.rendererCredential.forSession(answer.token);
      if (credential === 'ended') throw new BridgeError('host_failed', 'the new session ended at once');
      return { session: { ...(credential === undefined ? {} : { token: credential }), userId: answer.user.id, phone: answer.user.phone }, created: answer.created };
    },

    'session.clear': async () => {
      await this.options.vault.deleteSecret(sessionAccount(this.options.serverUrl));
      this.rendererCredential.forget();
      this.options.state.setSessionProfile(this.origin, undefined);
      this.options.onSessionChange?.(null);
    },

    'watcher.status': async () => {
      const { watcher } = this.options;
      if (watcher?.running === true && (this.lastScanAt === undefined || this.now() - this.lastScanAt > FRESH_SCAN_MS)) {
        await watcher.scanNow();
        this.lastScanAt = this.now();
      }
      return this.currentWatcherStatus();
    },

    'launcher.open': async (context, request) => {
      const gesture = this.options.gestures.claim(context.source);
      const signedIn = await this.launchSignedIn(request, gesture);
      if (signedIn !== undefined) return signedIn;
      return toLaunchResult(await this.options.launcher.open(request, gesture));
    },

    'plugins.list': async () => this.currentPlugins().map(({ manifest }) => summarisePlugin({ manifest, iconUrl: this.options.iconUrl(manifest.id) })),

    'import.pickFile': async (_context, { extensions }) => {
      const pick = this.options.pickFile;
      if (pick === undefined) throw new BridgeError('unsupported', 'no native file dialog here; use the file input');
      const chosen = await pick(extensions);
      return chosen === null ? null : readPickedFile(chosen, extensions);
    },

    'notifications.setForContact': async (_context, { userId, enabled }) => {
      if (this.options.notificationsSupported !== true) throw new BridgeError('unsupported', 'this system shows no notifications');
      this.options.state.setNotifications(userId, enabled);
    },
    'notifications.setUnreadCount': async (_context, { count }) => {
      this.options.onUnreadCount?.(count);
    },
    'notifications.showIncomingCall': async (_context, request) => this.callNotices.show(request),
    'notifications.closeIncomingCall': async (_context, { callId }) => this.callNotices.close(callId),

    'accounts.list': async () => this.accounts.list(),
    'accounts.bindPassword': async (_context, request) => this.accounts.bindPassword(request),
    'accounts.bindOAuth': async (context, request) => this.accounts.bindOAuth(context.source, request),
    'accounts.unbind': async (_context, { pluginId }) => this.accounts.unbind(pluginId),
    'accounts.openLoggedIn': async (context, { pluginId }) => this.accounts.openLoggedIn(context.source, pluginId),

    'contacts.networkContacts': async () => this.options.networkContacts?.list() ?? [],
    'contacts.syncAccounts': async () => {
      const contacts = this.options.networkContacts;
      if (contacts === undefined) throw new BridgeError('unsupported', 'this host runs no plugins');
      return contacts.sync();
    },
    'contacts.lookupIdentity': async (_context, { phone }) => {
      const found = await this.options.networkContacts?.lookupIdentity(phone);
      if (found === undefined) return null;
      const identity = Object.fromEntries(Object.entries(found.identity).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
      return { pluginId: found.pluginId, identity };
    },

    'calls.setMediaActive': async (_context, { active }) => {
      this.options.callMedia?.setCallActive(active);
    },

    'status.get': async () => this.myStatus.get(),
    'status.set': async (_context, status) => {
      const { value, report } = await this.myStatus.set(status);
      return { ...value, report: report.state, ...(report.state === 'refused' ? { problem: { code: report.code, message: report.message } } : {}) };
    },
  };
}

function describeFailure(reply: BridgeReply): { code: string; message: string } {
  return reply.ok ? { code: 'host_failed', message: '' } : reply.error;
}
